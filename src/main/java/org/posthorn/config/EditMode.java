package org.posthorn.config;

/** What postconf's editing options do to an entry: -e sets it, -X removes it, -# comments it out. */
public enum EditMode { SET, REMOVE, COMMENT }
