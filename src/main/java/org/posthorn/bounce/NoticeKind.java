package org.posthorn.bounce;

/**
 * The three notices of bounce(8) with the wording of Postfix's built-in templates
 * (bounce(5): failure, delay and success, plus the delivery report that sendmail -v asks
 * for), which users' mail filters match on.
 */
enum NoticeKind {
    FAILURE("bounce", "Undelivered Mail Returned to Sender", "Postmaster Copy: Undelivered Mail", "non-delivery",
            "Undelivered Message", "Undelivered Message Headers"),
    DELAY("delay", "Delayed Mail (still being retried)", "Postmaster Warning: Delayed Mail", "delay",
            "Undelivered Message", "Undelivered Message Headers"),
    SUCCESS("delivery status", "Successful Mail Delivery Report", "Successful Mail Delivery Report", "delivery status",
            "Message", "Message Headers"),
    /** sendmail -v: the report of every outcome of the first delivery attempt (Postfix's verify template). */
    REPORT("delivery status", "Mail Delivery Status Report", "Mail Delivery Status Report", "delivery status",
            "Message", "Message Headers");

    /** The notice's name in warnings ("ID: bounce notice not sent: why"). */
    final String name;

    final String subject;
    final String postmasterSubject;
    /** The word in the log line "ID: sender WORD notification: NEWID". */
    final String logWord;
    final String fullDescription;
    final String headersDescription;

    NoticeKind(String name, String subject, String postmasterSubject, String logWord, String fullDescription,
               String headersDescription) {
        this.name = name;
        this.subject = subject;
        this.postmasterSubject = postmasterSubject;
        this.logWord = logWord;
        this.fullDescription = fullDescription;
        this.headersDescription = headersDescription;
    }

    /** The explanation to the sender (postmaster copies carry none). */
    String text(BounceSettings s) {
        String head = "This is the mail system at host " + s.myhostname() + ".\n\n";
        String help = """
                For further assistance, please send mail to postmaster.

                If you do so, please include this problem report. You can
                delete your own text from the attached returned message.

                """;
        String signature = "                   The mail system\n";
        return switch (this) {
            case FAILURE -> head + """
                    I'm sorry to have to inform you that your message could not
                    be delivered to one or more recipients. It's attached below.

                    """ + help + signature;
            case DELAY -> head + """
                    ####################################################################
                    # THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #
                    ####################################################################

                    """ + "Your message could not be delivered for more than " + s.delayWarningTime() / 3600
                    + " hour(s).\nIt will be retried until it is " + s.maximalQueueLifetime() / 86400
                    + " day(s) old.\n\n" + help + signature;
            case SUCCESS -> head + """
                    Your message was successfully delivered to the destination(s)
                    listed below. If the message was delivered to mailbox you will
                    receive no further notifications. Otherwise you may still receive
                    notifications of mail delivery errors from other systems.

                    """ + signature;
            case REPORT -> head + "Enclosed is the mail delivery report that you requested.\n\n" + signature;
        };
    }
}
