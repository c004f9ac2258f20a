"""The reference DUI's DMP client: SOAP 1.2 over mutual TLS, MTOM out and in, and the answers read.

Never raises for what the DMP does: a transport error, an HTTP error or a SOAP fault comes back
as a :class:`DmpReply` with ``unavailable`` (retry later) or ``fault`` set. Responses are parsed
with a parser that resolves no entity and loads no DTD; MTOM answers are split with the
standard library's :mod:`email` parser.
"""

from __future__ import annotations

import base64
import email.policy
import uuid
from dataclasses import dataclass, field
from email.parser import BytesParser
from pathlib import Path

import requests
from lxml import etree

from reference_dui.dmp.xds import ACTIONS, RIM, SOAP, TD02, XDSB, XOP, envelope

__all__ = ["DmpClient", "DmpEndpoint", "DmpReply"]

MAX_RESPONSE = 64 * 1024 * 1024
RS = "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"
QUERY = "urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0"
PATHS = {
    "ITI-41": "/dmp/repository",
    "ITI-43": "/dmp/repository",
    "ITI-18": "/dmp/registry",
    "ITI-57": "/dmp/registry",
    "TD0.2": "/dmp/td02",
    "TD0.3": "/dmp/td03",
}


@dataclass(frozen=True)
class DmpEndpoint:
    url: str
    client_cert: Path | None = None
    client_key: Path | None = None
    ca: Path | None = None
    signing: tuple[Path, Path] | None = None


@dataclass
class DmpReply:
    """What one DMP call gave."""

    status: str = ""
    errors: list[dict[str, str]] = field(default_factory=list)
    root: etree._Element | None = None
    attachments: dict[str, bytes] = field(default_factory=dict)
    unavailable: str | None = None
    fault: str | None = None

    @property
    def ok(self) -> bool:
        return (
            self.unavailable is None
            and self.fault is None
            and self.status.endswith("Success")
            and not self.status.endswith("PartialSuccess")
        )


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def mtom(soap: bytes, action: str, attachments: dict[str, bytes]) -> tuple[bytes, str]:
    """The DUI's own MTOM writer: root part application/xop+xml, binary attachments."""
    boundary = f"uuid:{uuid.uuid4()}"
    root_id = f"root.{uuid.uuid4().hex}@reference-dui"
    out = bytearray()
    out += (
        f'--{boundary}\r\nContent-Type: application/xop+xml; charset=UTF-8; type="application/soap+xml"; '
        f'action="{action}"\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <{root_id}>\r\n\r\n'
    ).encode()
    out += soap
    for cid, data in attachments.items():
        out += (
            f"\r\n--{boundary}\r\nContent-Type: text/xml\r\nContent-Transfer-Encoding: binary\r\n"
            f"Content-ID: <{cid}>\r\n\r\n"
        ).encode()
        out += data
    out += f"\r\n--{boundary}--\r\n".encode()
    return bytes(out), (
        f'multipart/related; type="application/xop+xml"; boundary="{boundary}"; start="<{root_id}>"; '
        f'start-info="application/soap+xml"; action="{action}"'
    )


def _split(body: bytes, content_type: str) -> tuple[bytes, dict[str, bytes]]:
    if not content_type.lower().startswith("multipart/"):
        return body, {}
    message = BytesParser(policy=email.policy.compat32).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    parts = message.get_payload() if message.is_multipart() else []
    if not isinstance(parts, list) or not parts:
        raise ValueError("MTOM answer without MIME parts")
    root, attachments = b"", {}
    for index, part in enumerate(parts):
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            raise ValueError(f"MIME part {index + 1} cannot be decoded")
        if index == 0:
            root = data
        else:
            attachments[str(part.get("Content-ID", "")).strip("<> ")] = data
    return root, attachments


class DmpClient:
    """Calls the DMP endpoints of ``endpoint`` (``/dmp/repository``, ``/dmp/registry``, ``/dmp/td02``)."""

    def __init__(self, endpoint: DmpEndpoint, *, timeout: float = 10.0) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self.session = requests.Session()
        self.session.trust_env = False
        if endpoint.client_cert is not None:
            self.session.cert = (str(endpoint.client_cert), str(endpoint.client_key or endpoint.client_cert))

    def close(self) -> None:
        self.session.close()

    def call(
        self,
        transaction: str,
        body: etree._Element,
        assertion: etree._Element,
        attachments: dict[str, bytes] | None = None,
        bearer: str | None = None,
    ) -> DmpReply:
        """One DMP call; ``bearer``: the PSC access token of a PSC-backed call (SC.DMP/PSC.01)."""
        action = ACTIONS[transaction]
        soap = envelope(action, body, assertion)
        if attachments is not None:
            data, ctype = mtom(soap, action, attachments)
        else:
            data, ctype = soap, f'application/soap+xml; charset=utf-8; action="{action}"'
        url = self.endpoint.url.rstrip("/") + PATHS[transaction]
        headers = {"Content-Type": ctype}
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"  # RFC 6750 §2.1, over the same mutual-TLS connection
        try:
            response = self.session.post(
                url,
                data=data,
                headers=headers,
                timeout=self.timeout,
                verify=str(self.endpoint.ca) if self.endpoint.ca else True,
            )
        except requests.RequestException as exc:
            return DmpReply(unavailable=f"DMP injoignable / unreachable: {type(exc).__name__}")
        if response.status_code >= 500 and not response.headers.get("content-type", "").startswith(
            "application/soap+xml"
        ):
            return DmpReply(unavailable=f"DMP indisponible / unavailable: HTTP {response.status_code}")
        if len(response.content) > MAX_RESPONSE:
            return DmpReply(fault=f"answer of {len(response.content)} bytes refused")
        return self._read(response)

    def _read(self, response: requests.Response) -> DmpReply:
        try:
            soap, attachments = _split(response.content, response.headers.get("content-type", ""))
            root = etree.fromstring(soap, _parser())
        except (ValueError, etree.XMLSyntaxError) as exc:
            return DmpReply(fault=f"réponse illisible / unreadable answer (HTTP {response.status_code}): {exc}")
        if root.getroottree().docinfo.doctype:
            return DmpReply(fault="answer with a DOCTYPE refused")
        fault = root.find(f"{{{SOAP}}}Body/{{{SOAP}}}Fault")
        if fault is not None:
            reason = " ".join(t.strip() for t in fault.itertext() if t.strip())
            reply = DmpReply(fault=f"SOAP fault: {reason[:500]}")
            if response.status_code >= 500:
                reply.unavailable = reply.fault
            return reply
        body = root.find(f"{{{SOAP}}}Body")
        child = next((c for c in body if isinstance(c.tag, str)), None) if body is not None else None
        if child is None:
            return DmpReply(fault="empty SOAP body")
        registry = child if child.tag == f"{{{RS}}}RegistryResponse" else child.find(f"{{{RS}}}RegistryResponse")
        status = child.get("status") or (registry.get("status") if registry is not None else "") or ""
        errors = [
            {"code": e.get("errorCode", ""), "context": e.get("codeContext", ""), "location": e.get("location", "")}
            for e in child.iter(f"{{{RS}}}RegistryError")
        ]
        if child.tag == f"{{{TD02}}}td02ExistResponse":
            status = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"
        return DmpReply(status=status, errors=errors, root=child, attachments=attachments)


def query_entries(reply: DmpReply) -> list[dict[str, str]]:
    """The DocumentEntries of an ITI-18 LeafClass answer: uniqueId, repository, patientId, typeCode…"""
    if reply.root is None:
        return []
    entries = []
    for element in reply.root.iter(f"{{{RIM}}}ExtrinsicObject"):
        slots = {
            s.get("name", ""): (s.findtext(f"{{{RIM}}}ValueList/{{{RIM}}}Value") or "")
            for s in element.findall(f"{{{RIM}}}Slot")
        }
        identifiers = {
            e.get("identificationScheme", ""): e.get("value", "")
            for e in element.findall(f"{{{RIM}}}ExternalIdentifier")
        }
        codes = {
            c.get("classificationScheme", ""): c.get("nodeRepresentation", "")
            for c in element.findall(f"{{{RIM}}}Classification")
        }
        entries.append(
            {
                "entry_uuid": element.get("id", ""),
                "unique_id": identifiers.get("urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab", ""),
                "patient_id": identifiers.get("urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427", ""),
                "repository": slots.get("repositoryUniqueId", ""),
                "type_code": codes.get("urn:uuid:f0306f51-975f-434e-a61c-c59651d33983", ""),
                "format_code": codes.get("urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d", ""),
            }
        )
    return entries


def retrieved(reply: DmpReply) -> dict[str, bytes]:
    """DocumentUniqueId -> bytes of an ITI-43 answer (xop:Include or inline base64)."""
    found: dict[str, bytes] = {}
    if reply.root is None:
        return found
    for item in reply.root.iter(f"{{{XDSB}}}DocumentResponse"):
        unique = (item.findtext(f"{{{XDSB}}}DocumentUniqueId") or "").strip()
        document = item.find(f"{{{XDSB}}}Document")
        if document is None:
            continue
        include = document.find(f"{{{XOP}}}Include")
        if include is not None:
            cid = include.get("href", "").removeprefix("cid:")
            if cid in reply.attachments:
                found[unique] = reply.attachments[cid]
        elif document.text:
            found[unique] = base64.b64decode("".join(document.text.split()))
    return found
