/**
 * SASL for smtpd's AUTH command and the smtp client's login: the server backends named by
 * {@code smtpd_sasl_type} ({@code dovecot}: Dovecot's auth-client protocol; {@code posthorn}: a
 * password table with Dovecot's hash schemes), the client mechanisms PLAIN and LOGIN, and the
 * security options that choose which mechanisms may be used.
 */
package org.posthorn.sasl;
