#!/usr/bin/env python3
"""Regenerates src/main/resources/org/posthorn/config/parameters.tsv, the parameter registry.

Names and default texts are facts taken from the installed Postfix (`postconf -d` run on an
empty configuration directory, so no master.cf service adds its own parameters); the type of
each parameter comes from postconf(5) where the manual states a time unit, otherwise from a
small set of rules on the default value and the name.  Defaults that Postfix computes from
the running system (myhostname, mynetworks, process_id, ...) are stored with the marker
"@computed" and computed at run time by org.posthorn.config.SystemDefaults.

Usage: src/build/gen-parameters.py [--check]   (--check: exit 1 when the committed file differs)
"""
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "main", "resources", "org", "posthorn", "config", "parameters.tsv")

# Computed from the system or the running program, not stored as text.
COMPUTED = {"myhostname", "mydomain", "mynetworks", "process_id", "process_name",
            "mail_version"}

SIZE = re.compile(r"(size|_minfree$|^virtual_mailbox_limit$|_buffer_size|_size_limit$)")
LIST_SUFFIX = re.compile(r"(_restrictions|_domains|_networks|_classes|_list|_names|_interfaces|"
                         r"_protocols|_addresses|_recipients|_ciphers|_exclusions|_macros|"
                         r"_milters|_attributes|_environment|_directories|_classes|_types|"
                         r"_notice_recipient|_mechanism_filter|_lookups|_ports|_features|"
                         r"_reply_filter|_exceptions|_hosts)$")
TABLE = re.compile(r"(_maps|_checks|_map)$")


def postconf_defaults():
    with tempfile.TemporaryDirectory() as d:
        open(os.path.join(d, "main.cf"), "w").close()
        open(os.path.join(d, "master.cf"), "w").close()
        out = subprocess.run(["postconf", "-c", d, "-d"], check=True, capture_output=True,
                             text=True).stdout
    params = []
    for line in out.splitlines():
        name, _, value = line.partition(" =")
        params.append((name, value[1:] if value.startswith(" ") else value))
    return params


def manual_time_units():
    text = subprocess.run(["man", "5", "postconf"], check=True, capture_output=True, text=True,
                          env=dict(os.environ, MANWIDTH="200")).stdout
    text = re.sub(r".\x08", "", text)
    units, name = {}, None
    for line in text.splitlines():
        m = re.match(r"^([a-z0-9_]+) \((default|read-only)", line)
        if m:
            name = m.group(1)
        elif name and re.search(r"default\s+time\s+unit\s+is\s+([smhdw])", line):
            units[name] = re.search(r"default\s+time\s+unit\s+is\s+([smhdw])", line).group(1)
    return units


def infer(name, default, units):
    if name in units:
        return "time:" + units[name]
    if re.fullmatch(r"\d+[smhdw]", default):
        return "time:s"
    if default in ("yes", "no"):
        return "bool"
    if re.fullmatch(r"-?\d+", default):
        return "size" if SIZE.search(name) else "int"
    if TABLE.search(name):
        return "tables"
    if LIST_SUFFIX.search(name) or "," in default:
        return "list"
    return "string"


def resolve_references(types, params):
    # "$other" defaults take the type of the parameter they name, when that is not a string
    defaults = dict(params)
    for name, default in params:
        m = re.fullmatch(r"\$\{?([a-z0-9_]+)\}?", default)
        if m and types[name] in ("string", "list") and m.group(1) in types:
            seen, target = set(), m.group(1)
            while target in defaults and target not in seen:
                seen.add(target)
                nxt = re.fullmatch(r"\$\{?([a-z0-9_]+)\}?", defaults[target])
                if not nxt or types[target] not in ("string", "list"):
                    break
                target = nxt.group(1)
            if types.get(target, "string") != "string":
                types[name] = types[target]


def legacy_names(params):
    """Old names that defaults still refer to (postscreen_blacklist_action, tlsproxy_client_level):
    postconf accepts them with an empty default but does not list them."""
    builtin = {n for n, _ in params}
    candidates = set()
    for _, default in params:
        candidates.update(re.findall(r"\$[{(]?([A-Za-z0-9_]+)", default))
    candidates = sorted(candidates - builtin)
    with tempfile.TemporaryDirectory() as d:
        open(os.path.join(d, "main.cf"), "w").close()
        open(os.path.join(d, "master.cf"), "w").close()
        out = subprocess.run(["postconf", "-c", d, "-d"] + candidates, capture_output=True, text=True).stdout
    return sorted(line.split(" =")[0] for line in out.splitlines())


def raw_names(params, types):
    """Parameters postconf -x prints unexpanded (their daemons expand them with their own
    macros): set each text parameter to "X$$Y" and see which come back as written."""
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "main.cf"), "w") as f:
            for name, _ in params:
                if types[name] in ("string", "list", "tables") and name not in ("config_directory",):
                    f.write(f"{name} = X$$Y\n")
        open(os.path.join(d, "master.cf"), "w").close()
        old = 0  # date the file back: postconf rereads a main.cf that changed in the last second
        os.utime(os.path.join(d, "main.cf"), (old, old))
        out = subprocess.run(["postconf", "-c", d, "-x"], capture_output=True, text=True).stdout
    return {line.split(" =")[0] for line in out.splitlines() if line.endswith("= X$$Y")}


def generate():
    params = postconf_defaults()
    units = manual_time_units()
    types = {n: infer(n, d, units) for n, d in params}
    resolve_references(types, params)
    lines = ["# name<TAB>type<TAB>default text; generated by src/build/gen-parameters.py from"
             " Postfix 3.7 (postconf -d, postconf(5)); do not edit"]
    raw = raw_names(params, types)
    for name, default in params:
        if name in COMPUTED:
            default = "@computed"
        kind = types[name] + (":raw" if name in raw else "")
        lines.append(f"{name}\t{kind}\t{default}")
    for name in legacy_names(params):
        lines.append(f"{name}\tlegacy\t")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    text = generate()
    if "--check" in sys.argv:
        with open(OUT) as f:
            same = f.read() == text
        print("parameters.tsv is " + ("up to date" if same else "OUT OF DATE: rerun src/build/gen-parameters.py"))
        sys.exit(0 if same else 1)
    with open(OUT, "w") as f:
        f.write(text)
