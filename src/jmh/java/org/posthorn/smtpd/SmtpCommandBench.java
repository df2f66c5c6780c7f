package org.posthorn.smtpd;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** SMTP command parsing: one command line split into verb and words, as smtpd does per command. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SmtpCommandBench {
    @Param({"MAIL FROM:<sender@example.org> SIZE=4096 BODY=8BITMIME",
            "RCPT TO:<\"quoted local\"@example.net> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;a@example.net",
            "EHLO client.example.org"})
    public String line;

    @Benchmark
    public CommandLine parse() {
        return CommandLine.parse(line);
    }
}
