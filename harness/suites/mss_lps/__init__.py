"""MSSanté API LPS connection modes (issue 13 item 2), in the two ANS test-case families they belong to.

``MSS-LPS-SEGUR-PER-ORG`` (Pro Santé Connect authentication on personal and organisational mailboxes,
SC.MSS/CONF.04/07/09/10/11/28; the autoconfiguration part, SC.MSS/CONF.04, is the ``mss`` suite's):
a professional logs in with PSC, the DUI opens the mailbox over STARTTLS with SASL XOAUTH2 (IMAP with
SASL-IR), renews an expired access token and reopens a session the operator ended without human
action, keeps the token in memory only, and opens nothing once the professional has logged out.

``MSS-LPS-SEGUR-APP`` (certificate authentication of application mailboxes, SC.MSS/CONF.12): the
DUI's application mailbox opens TLS with the organisation's authentication certificate, then logs
in with PLAIN naming the mailbox.
"""
