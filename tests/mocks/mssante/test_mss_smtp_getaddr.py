"""The simulator's MAIL FROM / RCPT TO address parsing answers as aiosmtpd's own (issue 18: same parser, cheaper)."""

from __future__ import annotations

import pytest
from aiosmtpd.smtp import SMTP

from mocks.mssante.smtp import MssSmtp

ARGS = [
    "<dui.reference@ehpad-essai.mssante.fr>",
    "<dui.reference@ehpad-essai.mssante.fr> SIZE=5120 BODY=8BITMIME",
    "dui.reference@ehpad-essai.mssante.fr",
    "  <a@b.fr>",
    "<>",
    "",
    "<not an address",
    "@@@",
    f"<{'x' * 65}@b.fr>",  # over RFC 5321's 64-octet local part
    '<"quoted local"@b.fr>',
]


@pytest.mark.parametrize("arg", ARGS)
def test_the_address_of_a_command_is_read_as_aiosmtpd_reads_it(arg: str) -> None:
    ours, theirs = MssSmtp.__new__(MssSmtp), SMTP.__new__(SMTP)
    for server in (ours, theirs):
        server.local_part_limit = 64
    assert ours._getaddr(arg) == theirs._getaddr(arg)
