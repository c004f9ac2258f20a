"""``dui-harness run``: every argument checked before anything is touched.

``--sut`` (an http(s) URL with a host and a valid port, answering its trigger API), ports
(1-65535, and the fixed ports of the simulators free when a DUI configured beforehand needs
them), paths (``--reports`` a folder, ``--pki``, ``--bundle-out``, ``--history``), the CDA pack,
the profile, the signing key and the defect switches. Each problem is one bilingual line
(:class:`~harness.errors.UsageError` without a tip: exit 2; an unreachable DUI is
:class:`~harness.errors.SutUnreachable`: exit 3). No file is written, no report deleted.
"""

from __future__ import annotations

import argparse
import os
import socket
from pathlib import Path
from urllib.parse import urlsplit

import requests

from harness import services
from harness.core.requirements import Profile, cached_catalog, load_profile
from harness.errors import HarnessError, SutUnreachable, UsageError
from harness.paths import profiles_dir

__all__ = ["busy_ports", "cda_pack", "check_invocation", "check_sut_url", "fixed_ports"]


def fixed_ports(insi_port: int | None = None) -> dict[str, int]:
    """``"SERVICE listener" -> port`` of every simulator for a DUI configured beforehand (the registry's)."""
    ports = {
        f"{service.id} {name}".replace(" port", ""): port
        for service in services.all_services()
        for name, port in service.ports.items()
    }
    if insi_port is not None:
        ports["INS"] = insi_port
    return ports


def cda_pack(args: argparse.Namespace) -> Path | None:
    """The CI-SIS artefact pack of the run: ``--cda-pack``, else ``$DUI_HARNESS_CDA_PACK`` (its default only)."""
    given: Path | None = getattr(args, "cda_pack", None)
    if given is not None:
        return given
    from harness.validators.cda.pack import ENV_VAR

    value = os.environ.get(ENV_VAR, "").strip()
    return Path(value) if value else None


def _usage(message: str) -> UsageError:
    return UsageError(message)  # one line: the message says what to do, no separate tip


def check_sut_url(url: str) -> str:
    """The trigger API URL, or a :class:`UsageError`: http(s), a host, a port in 1-65535."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise _usage(
            f"--sut {url} : URL invalide / invalid URL ({exc}); attendu / expected http(s)://HOST:PORT/PATH"
        ) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _usage(
            f"--sut {url} : pas une URL http(s) avec un hôte / not an http(s) URL with a host; "
            "attendu / expected e.g. http://127.0.0.1:8800/harness/v1"
        )
    if port is not None and not 1 <= port <= 65535:
        raise _usage(f"--sut {url} : port {port} hors de 1-65535 / port out of 1-65535")
    return url


def _check_port(option: str, port: int | None, *, zero: bool = True) -> None:
    if port is None:
        return
    low = 0 if zero else 1
    if not low <= port <= 65535:
        raise _usage(f"{option} {port} : port hors de {low}-65535 / port out of {low}-65535")


def _is_busy(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is not busy; a listener is
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def busy_ports(args: argparse.Namespace) -> list[tuple[str, int]]:
    """The fixed simulator ports already taken, when the run needs fixed ports (``--sut``/``--attended``
    without ``--free-ports``)."""
    external = bool(args.sut or args.attended)
    if not external or args.free_ports or args.insi_port == 0:
        return []
    return [(service, port) for service, port in fixed_ports(args.insi_port).items() if _is_busy(port)]


def _check_folder(option: str, path: Path | None) -> None:
    if path is None:
        return
    if path.exists() and not path.is_dir():
        raise _usage(f"{option} {path} : est un fichier, pas un dossier / is a file, not a folder")
    parent = next((p for p in [path, *path.parents] if p.exists()), None)
    if parent is not None and not parent.is_dir():
        raise _usage(f"{option} {path} : {parent} est un fichier / is a file")


def _check_file_target(option: str, path: Path | None) -> None:
    if path is None:
        return
    if path.is_dir():
        raise _usage(f"{option} {path} : est un dossier, un fichier est attendu / is a folder, a file is expected")
    _check_folder(option, path.parent)


def _sut_answers(url: str) -> None:
    """One GET /info: an unreachable DUI stops the run here, in one line (exit 3), before any report is touched."""
    target = f"{url.rstrip('/')}/info"
    session = requests.Session()
    session.trust_env = False
    try:
        session.get(target, timeout=10)
    except requests.RequestException as exc:
        raise SutUnreachable(
            f"l'API de pilotage de la DUI ne répond pas / the DUI's trigger API does not answer "
            f"at {target} ({type(exc).__name__}); démarrez la DUI en mode test ou corrigez --sut / "
            "start the DUI in test mode or fix --sut"
        ) from None
    finally:
        session.close()


def check_invocation(args: argparse.Namespace) -> Profile:
    """Check every argument of ``run`` (see the module docstring); returns the profile."""
    try:
        profile = load_profile(profiles_dir(), args.profile, cached_catalog(profiles_dir()))
    except UsageError as exc:
        raise _usage(
            f"--profile {args.profile} : profil introuvable ou invalide / {exc.message} (dui-harness profiles)"
        ) from None
    if args.defect:
        if args.sut or args.attended:
            raise _usage(
                "--defect ne s'applique qu'à la DUI de référence / switches the bundled reference DUI "
                "only (reference DUI only): retirez / drop --sut / --attended"
            )
        from reference_dui import DEFECTS

        unknown = [d for d in args.defect if d not in DEFECTS]
        if unknown:
            raise _usage(f"défaut inconnu / unknown defect {', '.join(unknown)} (dui-harness run --list-defects)")
    if args.sut:
        check_sut_url(args.sut)
    _check_port("--insi-port", args.insi_port)
    _check_folder("--reports", args.reports)
    _check_folder("--pki", args.pki)
    _check_file_target("--bundle-out", args.bundle_out)
    if args.history is not None and not args.history.exists():
        raise _usage(f"--history {args.history} : introuvable / no such reports folder, Allure report or bundle")
    pack = cda_pack(args)
    if pack is not None:
        from harness.validators.cda.pack import load_pack

        try:
            load_pack(pack)
        except HarnessError as exc:
            raise _usage(f"--cda-pack {pack} : paquet d'artefacts CI-SIS inutilisable / {exc.message}") from None
    if getattr(args, "xds_schemas", None) is not None:
        from harness.validators.xds.schemas import load_schemas

        try:
            load_schemas(args.xds_schemas.resolve())
        except HarnessError as exc:
            raise _usage(f"schémas XDS inutilisables / unusable XDS schemas: {exc.message}") from None
    if getattr(args, "exigences", None) is not None:
        from harness.core.official import load_base

        try:
            load_base(args.exigences)
        except HarnessError as exc:
            raise _usage(
                f"--exigences {args.exigences} : base des exigences illisible / unusable: {exc.message}"
            ) from None
    if getattr(args, "attestations", None) is not None:
        from harness.evidence.attestations import load_declarations

        try:
            load_declarations(args.attestations)
        except HarnessError as exc:
            raise _usage(
                f"--attestations {args.attestations} : déclarations invalides / invalid: {exc.message}"
            ) from None
    if args.key is not None and not args.no_bundle:
        from harness.evidence.signing import load_signer

        try:
            load_signer(args.key, args.cert)
        except HarnessError as exc:
            raise _usage(
                f"--key {args.key} : clé de signature illisible / signing key unusable: {exc.message}"
            ) from None
    busy = busy_ports(args)
    if busy:
        names = ", ".join(f"{service} {port}" for service, port in busy)
        raise _usage(
            f"port(s) déjà pris / port(s) already in use: {names} — arrêtez l'autre banc, ou "
            "--free-ports (DUI acceptant PUT /config/endpoints), ou --insi-port PORT / stop the other "
            "bench, or use --free-ports (DUI accepting PUT /config/endpoints) or --insi-port PORT"
        )
    if args.sut:
        _sut_answers(args.sut)
    return profile
