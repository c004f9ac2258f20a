"""Child process of the HTTP benchmarks: one server on 127.0.0.1 until its stdin closes.

    python benchmarks/http_servers.py {trivial|insi|dmp} PKI_DIR WORK_DIR [--plain]

Prints one JSON line ``{"url", "token", "pid"}`` once listening. Every server runs on the same
class (:class:`mocks.common.server.SimulatorServer`, uvicorn h11, a thread) with the same TLS
settings (the test PKI's server certificate, client certificates asked for and checked
against the test CA), so that the *trivial* app is the ceiling of that server class: a
route that reads the body and answers a constant, with no recorder and no checks.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

#: what the trivial app answers (about the size of an INSi answer's envelope)
TRIVIAL_BODY = b"<ok>" + b"x" * 1000 + b"</ok>"


def _trivial_app() -> object:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    async def echo(request: Request) -> Response:
        await request.body()
        return Response(TRIVIAL_BODY, media_type="application/xml")

    return Starlette(routes=[Route("/{path:path}", echo, methods=["POST"])])


def _bare_smtp(tls: object) -> tuple[str, object]:
    """aiosmtpd with a handler that accepts every message and keeps nothing: the SMTP ceiling.

    Same TLS as the MSSanté simulator's implicit-TLS listener (its server context: TLS 1.2+,
    a client certificate of the test CA asked for).
    """
    import asyncio
    import threading

    from aiosmtpd.smtp import SMTP

    from mocks.mssante.app import server_context

    class Bare:
        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
            return "250 OK"

    loop = asyncio.new_event_loop()
    started = threading.Event()
    holder: dict[str, object] = {}

    async def serve() -> None:
        server = await loop.create_server(lambda: SMTP(Bare(), loop=loop), "127.0.0.1", 0, ssl=server_context(tls))  # type: ignore[arg-type]
        holder["port"] = server.sockets[0].getsockname()[1]
        started.set()

    threading.Thread(target=lambda: (loop.run_until_complete(serve()), loop.run_forever()), daemon=True).start()
    started.wait(30)

    class Stop:
        def stop(self) -> None:
            loop.call_soon_threadsafe(loop.stop)

    return f"smtps://127.0.0.1:{holder['port']}", Stop()


def main(argv: list[str]) -> int:
    kind, pki_dir, work = argv[0], Path(argv[1]), Path(argv[2])
    from harness.core.recorder import Recorder
    from harness.pki import ensure_pki
    from mocks.common.server import SimulatorServer, TlsSettings

    pki = ensure_pki(pki_dir)
    tls = None if "--plain" in argv else TlsSettings(pki.server_cert, pki.server_key, client_ca=pki.ca_cert)
    token = ""
    stop: object
    if kind == "trivial":
        server = SimulatorServer(_trivial_app(), name="trivial", tls=tls).start()
        url, stop = server.base_url + "/lps", server
    elif kind == "insi":
        from mocks.insi import InsiSimulator

        sim = InsiSimulator(Recorder(), tls=tls).start()
        url, token, stop = sim.url + "/lps", sim.control_token, sim
    elif kind == "dmp":
        from mocks.dmp import DmpSimulator

        dmp = DmpSimulator(Recorder(), tls=tls, db_path=work / "dmp-registry.sqlite3").start()
        url, token, stop = dmp.url + "/dmp/repository", dmp.control_token, dmp
    elif kind == "mss":
        from mocks.mssante import MssSimulator

        assert tls is not None
        mss = MssSimulator(Recorder(), tls=tls, dui_certificate=pki.client("client-mss-bal")).start()
        url, token, stop = f"smtps://127.0.0.1:{mss.smtps_port}", mss.control_token, mss
    elif kind == "smtp-bare":
        assert tls is not None
        url, stop = _bare_smtp(tls)
    else:
        raise SystemExit(f"unknown server {kind}")
    print(json.dumps({"url": url, "token": token, "pid": os.getpid()}), flush=True)
    sys.stdin.read()  # the parent closes stdin to stop us
    stop.stop()  # type: ignore[attr-defined]
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
