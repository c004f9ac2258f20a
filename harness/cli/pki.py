"""``dui-harness pki``: write the test PKI and explain how to configure a DUI with it.

The simulators serve TLS with server.pem and, for INSi, ask for a client certificate
issued by ca.pem whose CN is INSI-AUTO (french-specs §1.5); the MSSanté mailbox uses
client-mss-bal, the DMP's VIHF is signed with signing-vihf. Each file is listed with the
service that uses it. ``bad-servers/`` holds the operator certificates a DUI's MSSanté client
must refuse (expired, revoked with the CA's CRL, from another CA; :mod:`harness.pki_servers`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.x509.oid import NameOID

from harness.cli import EXIT_OK
from harness.errors import UsageError
from harness.pki import CLIENT_PROFILES, TestPki, ensure_pki, generate
from harness.pki_servers import BAD_SERVERS, generate_bad_servers

__all__ = ["DEFAULT_OUT", "add_parser", "main"]

DEFAULT_OUT = Path("reports") / "pki"
BAD_SERVERS_DIR = "bad-servers"

#: file -> what it is for, in French / English
ROLES = {
    "ca.pem": "AC de test à déclarer de confiance / test CA the DUI must trust",
    "ca.key": "clé de l'AC, réservée au banc / CA key, for the harness only",
    "server.pem": "certificat serveur des simulateurs / simulators' server certificate",
    "server.key": "clé du certificat serveur / server certificate key",
    "client-insi-auto.pem": "certificat client INSi (appels automatiques) / INSi client certificate",
    "client-insi-auto.key": "clé du certificat INSI-AUTO / INSI-AUTO key",
    "client-insi-manu.pem": "certificat client INSi appels manuels / INSi client certificate (manual calls)",
    "client-insi-manu.key": "clé du certificat INSI-MANU / INSI-MANU key",
    "client-mss-bal.pem": "certificat de la BAL applicative de la DUI / the DUI's MSSanté mailbox certificate",
    "client-mss-bal.key": "clé de la BAL applicative / mailbox certificate key",
    "signing-vihf.pem": "certificat de cachet signant le VIHF / organisation seal signing the VIHF",
    "signing-vihf.key": "clé de signature du VIHF / VIHF signing key",
    "client-wrong-cn.pem": "CN refusé par INSi (cas négatif) / CN INSi refuses (negative case)",
    "client-wrong-cn.key": "clé du certificat au mauvais CN / wrong-CN key",
    "client-harness.pem": "certificat client du banc / the harness's own client certificate",
    "client-harness.key": "clé du certificat du banc / harness client key",
    "pki.json": "description lisible par machine / machine-readable description",
}

#: certificate file -> the services that use it (who presents it to whom)
USED_BY = {
    "ca.pem": "tous / all: la DUI fait confiance aux simulateurs / the DUI trusts the simulators",
    "server.pem": "tous les simulateurs (TLS serveur) / every simulator (server TLS)",
    "client-insi-auto.pem": "INSi (TLS mutuel, CN INSI-AUTO exigé / required); DMP, PSC, e-parcours, "
    "e-prescription (TLS client)",
    "client-insi-manu.pem": "INSi, appels manuels / manual calls",
    "client-mss-bal.pem": "MSSanté SMTP/IMAP (SASL EXTERNAL ou certificat seul / or certificate alone)",
    "signing-vihf.pem": "DMP: signature XML-DSIG du VIHF (wsse:Security) / VIHF XML-DSIG signature",
    "client-wrong-cn.pem": "tests négatifs du banc / the harness's negative tests",
    "client-harness.pem": "le banc lui-même (API de contrôle, MSSanté) / the harness itself",
}


def add_parser(subparsers: Any) -> None:
    """Register the ``pki`` verb."""
    parser = subparsers.add_parser(
        "pki",
        help="écrire la PKI de test / write the test PKI (CA, server and INSI-AUTO client certificates)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"folder (default: ./{DEFAULT_OUT})")
    parser.add_argument("--force", action="store_true", help="generate a new PKI even if a valid one exists")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    """Write (or reuse) the PKI in ``args.out`` and print its files and the DUI set-up."""
    out: Path = args.out
    if out.exists() and not out.is_dir():
        raise UsageError(
            f"{out}: existe et n'est pas un dossier / exists and is not a folder",
            tip="dui-harness pki --out DOSSIER/FOLDER",
        )
    before = _fingerprint(out)
    try:
        pki = generate(out) if args.force else ensure_pki(out)
        generate_bad_servers(pki, out / BAD_SERVERS_DIR)  # fresh each time: the CRL is valid seven days
    except OSError as exc:
        raise UsageError(
            f"{out}: IGC non écrite / cannot write the PKI ({exc.strerror or exc})",
            tip="choisissez un dossier accessible en écriture / choose a writable folder: --out DIR",
        ) from None
    reused = before is not None and before == _fingerprint(out)
    sys.stdout.write(render(pki, reused=reused))
    return EXIT_OK


def render(pki: TestPki, *, reused: bool) -> str:
    """The listing of the PKI files (role, CN) and how to configure a DUI with them."""
    state = "reused / réutilisée" if reused else "generated / générée"
    lines = [f"Test PKI {state}: {pki.directory}", "TEST ONLY - never trust it outside dui-harness.", ""]
    for name, role in ROLES.items():
        path = pki.directory / name
        if not path.is_file():
            continue
        cn = f"  CN={_cn(path)}" if name.endswith(".pem") else ""
        lines.append(f"  {name:<22} {role}{cn}")
        if name in USED_BY:
            lines.append(f"  {'':<22}   ↳ service : {USED_BY[name]}")
    cert, key = pki.client("client-insi-auto")
    auto_cn = CLIENT_PROFILES["client-insi-auto"][0]
    bad = pki.directory / BAD_SERVERS_DIR
    lines += [
        "",
        "Configure the DUI under test / configurer le DUI testé :",
        f"  1. trust the CA / faire confiance à l'AC : {pki.ca_cert}",
        "     (simulators answer on https://127.0.0.1:<port> and https://localhost:<port>)",
        f"  2. INSi client certificate / certificat client INSi (CN {auto_cn}):",
        f"     certificate {cert}",
        f"     key         {key}",
        f"  3. MSSanté (BAL {CLIENT_PROFILES['client-mss-bal'][0]}): {pki.client('client-mss-bal')[0]} "
        f"/ {pki.client('client-mss-bal')[1]}",
        f"  4. DMP, signature du VIHF / VIHF signature: {pki.client('signing-vihf')[0]} "
        f"/ {pki.client('signing-vihf')[1]}",
        "  5. DUI wanting a PKCS#12 file / DUI attendant un fichier PKCS#12 :",
        f"     openssl pkcs12 -export -in {cert} -inkey {key} -certfile {pki.ca_cert} -out {cert.with_suffix('.p12')}",
        f"  6. MSSanté operators the DUI must refuse / opérateurs que la DUI doit refuser: {bad}/",
        *(f"     {stem}.pem: {role}" for stem, role in BAD_SERVERS.items()),
        f"     CRL of the test CA / CRL de l'AC de test: {bad / 'crl.pem'} (.der), other CA / autre AC: "
        f"{bad / 'other-ca.pem'}",
        f"     e.g. / ex. : openssl s_server -accept 8466 -cert {bad / 'server-expired.pem'} "
        f"-key {bad / 'server-expired.key'}",
    ]
    return "\n".join(lines) + "\n"


def _cn(path: Path) -> str:
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else "?"


def _fingerprint(directory: Path) -> bytes | None:
    try:
        return (directory / "ca.pem").read_bytes()
    except OSError:
        return None
