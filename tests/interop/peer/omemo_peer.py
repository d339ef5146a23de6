#!/usr/bin/python3
"""
An independent OMEMO 0.3 peer ("legacy OMEMO", XEP-0384 v0.3, namespace eu.siacs.conversations.axolotl) for
interop tests of the messenger. It is python-omemo 1.0 (SessionManager) + oldmemo (the 0.3 backend and its
XML (de)serialisation, which validates every incoming <encrypted>, device list and bundle against the XEP's
schema) + slixmpp for XMPP. Debian ships no slixmpp OMEMO plugin, so the glue is here: a JSON-file Storage,
a SessionManager subclass doing PEP publish/fetch, and a message pipeline (live, carbons, MAM).

Run with Debian's interpreter (the packages live in /usr/lib/python3/dist-packages):

    /usr/bin/python3 tests/interop/peer/omemo_peer.py --jid alice@localhost --password PW \\
        --host 127.0.0.1 --port 5222 --ca-file ca.pem --data-dir DIR [--mam-catchup] [--debug]

TLS (STARTTLS, required) is verified against --ca-file with the JID's domain as the expected name.
DIR keeps the OMEMO state (omemo-storage.json) and what was already processed (peer-state.json), so a
restart is the same device and never decrypts a message twice.

Protocol: one JSON object per line. Commands on stdin, events on stdout; logs go to stderr only.

Commands (every command may carry "id"; replies echo it):
  {"cmd":"send","id":"c1","to":"bob@localhost","body":"text"}
      -> {"event":"sent","id":"c1","message_id":"...","devices":[N,...],
          "recipients":[{"jid":..,"device_id":N,"prekey":bool}],"skipped":[{"jid":..,"device_id":N,"reason":..}]}
         or {"event":"error","id":"c1","message":"..."}
  {"cmd":"key_transport","id":"c2","to":"bob@localhost"}   KeyTransportElement (no <payload>), same replies
  {"cmd":"trust_all","id":"c3","enabled":true}             blind trust (default on) -> {"event":"ok","id":"c3"}
  {"cmd":"devices","id":"c4","jid":"bob@localhost"}
      -> {"event":"devices","id":"c4","devices":[{"device_id":N,"fingerprint":"hex","trust":"..."}]}
  {"cmd":"fetch_mam","id":"c5"}   own archive (all, or after the last archive id processed by a previous
                                  fetch) -> message events with source "mam", then
                                  {"event":"mam_done","id":"c5","count":N,"found":N,"skipped":N}
  {"cmd":"quit"}                  disconnect cleanly, exit 0 (EOF on stdin does the same)

Events:
  {"event":"ready","jid":"alice@localhost/res","device_id":N,"fingerprint":"hex","mam_catchup_count":N|null}
      once connected, device list and bundle published, carbons enabled and initial presence sent.
  {"event":"message","from":"bob@localhost","sender_device":N,"body":"text"|null,"key_transport":bool,
   "source":"live"|"carbon"|"mam","message_id":..,"stanza_id":..,"delayed":bool,"prekey":bool,
   "key_material_length":32}
  {"event":"decrypt_error","from":..,"sender_device":N|null,"message":"ExceptionType: text",
   "not_for_us":bool,"source":..,"message_id":..}
  {"event":"fatal","message":"..."}   startup failed or the connection dropped; the process then exits non-zero.

Fingerprints are the hex of the 32-byte Curve25519 identity public key (python-omemo's format_identity_key,
groups joined), as other clients display them.

Behaviour worth knowing when the other side is the client under test:
- python-omemo takes the sender's identity key from its published bundle: the sending device must be in the
  sender's device list and its bundle fetchable (access model open, or presence subscription) before a
  message from it decrypts; otherwise decrypt_error "SenderNotFound".
- After decrypting a PreKeySignalMessage python-omemo answers with an empty OMEMO message (a
  KeyTransportElement) to complete the session; it also sends one after 53 received messages without a reply.
  Those arrive at the other side as key transports; match your own key_transport by message_id.
- Messages are deduplicated (sender, sid, iv) and by XEP-0359 stanza-id before decryption, across restarts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
import tempfile
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Optional, Set, Tuple

import omemo
import oldmemo
import oldmemo.etree as oldmemo_etree
from oldmemo.oldmemo import NAMESPACE as OLDMEMO_NS
import slixmpp
from slixmpp.exceptions import IqError, IqTimeout
from slixmpp.jid import JID
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath

LOG = logging.getLogger("omemo-peer")

NS = OLDMEMO_NS  # "eu.siacs.conversations.axolotl"
DEVICE_LIST_NODE = f"{NS}.devicelist"
BUNDLE_NODE_PREFIX = f"{NS}.bundles:"
NS_PUBSUB_EVENT = "http://jabber.org/protocol/pubsub#event"
NS_PUBSUB_ERRORS = "http://jabber.org/protocol/pubsub#errors"
NS_CARBONS = "urn:xmpp:carbons:2"
NS_FORWARD = "urn:xmpp:forward:0"
NS_MAM = "urn:xmpp:mam:2"
NS_RSM = "http://jabber.org/protocol/rsm"
NS_DELAY = "urn:xmpp:delay"
NS_SID = "urn:xmpp:sid:0"
NS_HINTS = "urn:xmpp:hints"
NS_EME = "urn:xmpp:eme:0"
NS_CLIENT = "jabber:client"

IQ_TIMEOUT_S = 20
MAM_PAGE_SIZE = 50
STARTUP_TIMEOUT_S = 60
# XEP-0380 fallback body: tells a non-OMEMO client what happened, never contains message text.
FALLBACK_BODY = (
    "I sent you an OMEMO encrypted message but your client doesn't seem to support that. "
    "Find more information on https://conversations.im/omemo"
)

# Trust level names stored by python-omemo. "undecided" is what a new identity starts with.
TRUST_UNDECIDED = "undecided"
TRUST_BLIND = "blind"
TRUST_TRUSTED = "trusted"
TRUST_DISTRUSTED = "distrusted"


def emit(event: Dict[str, Any]) -> None:
    """One JSON line on stdout: the only thing ever written there."""
    sys.stdout.write(json.dumps(event, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def fingerprint_of(identity_key: bytes) -> str:
    """Hex of the Curve25519 form of an (Ed25519-encoded, as python-omemo stores it) identity key."""
    return "".join(omemo.SessionManager.format_identity_key(identity_key))


def describe(error: BaseException) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def atomic_write_json(path: Path, data: Any) -> None:
    fd, tmp_name = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=str(path.parent))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
        os.replace(tmp_name, path)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise


# --------------------------------------------------------------------------------------------------------
# Storage: python-omemo's key/value store, written through to one JSON file (writes must not be deferred).
# --------------------------------------------------------------------------------------------------------

class JsonFileStorage(omemo.Storage):
    def __init__(self, path: Path) -> None:
        super().__init__()
        self._path = path
        self._data: Dict[str, Any] = {}
        if path.exists():
            with path.open("r", encoding="utf-8") as handle:
                self._data = json.load(handle)

    async def _load(self, key: str) -> omemo.Maybe[omemo.JSONType]:
        if key in self._data:
            return omemo.Just(self._data[key])
        return omemo.Nothing()

    async def _store(self, key: str, value: omemo.JSONType) -> None:
        self._data[key] = value
        atomic_write_json(self._path, self._data)

    async def _delete(self, key: str) -> None:
        if self._data.pop(key, None) is not None:
            atomic_write_json(self._path, self._data)


class PeerState:
    """What this device already processed (dedupe keys) and where MAM catch-up stopped."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self.seen: Set[str] = set()
        self.last_mam_id: Optional[str] = None
        if path.exists():
            with path.open("r", encoding="utf-8") as handle:
                data = json.load(handle)
            self.seen = set(data.get("seen", []))
            self.last_mam_id = data.get("last_mam_id")

    def save(self) -> None:
        atomic_write_json(self._path, {"seen": sorted(self.seen), "last_mam_id": self.last_mam_id})


# --------------------------------------------------------------------------------------------------------
# python-omemo glue: the SessionManager's abstract XMPP operations, implemented over slixmpp's PEP.
# --------------------------------------------------------------------------------------------------------

class PeerSessionManager(omemo.SessionManager):
    # Set on a per-peer subclass before create(): create() calls these methods before it returns.
    peer: "OmemoPeer"

    async def _upload_bundle(self, bundle: omemo.Bundle) -> None:  # type: ignore[override]
        if not isinstance(bundle, oldmemo.oldmemo.BundleImpl):
            raise omemo.UnknownNamespace(f"unexpected bundle type {type(bundle)}")
        try:
            await self.peer.publish_open(
                f"{BUNDLE_NODE_PREFIX}{bundle.device_id}", oldmemo_etree.serialize_bundle(bundle)
            )
        except (IqError, IqTimeout) as error:
            raise omemo.BundleUploadFailed(describe_iq_error(error)) from error

    async def _download_bundle(  # type: ignore[override]
        self, namespace: str, bare_jid: str, device_id: int
    ) -> omemo.Bundle:
        if namespace != NS:
            raise omemo.UnknownNamespace(namespace)
        node = f"{BUNDLE_NODE_PREFIX}{device_id}"
        try:
            payload = await self.peer.fetch_current_item(bare_jid, node)
        except IqError as error:
            if error.condition == "item-not-found":
                raise omemo.BundleNotFound(f"{bare_jid} has no node {node}") from error
            raise omemo.BundleDownloadFailed(f"{bare_jid} {node}: {describe_iq_error(error)}") from error
        except IqTimeout as error:
            raise omemo.BundleDownloadFailed(f"{bare_jid} {node}: timeout") from error
        if payload is None:
            raise omemo.BundleNotFound(f"{bare_jid} {node} has no item")
        try:
            # Validates against the XEP's bundle schema.
            return oldmemo_etree.parse_bundle(payload, bare_jid, device_id)
        except Exception as error:  # schema or key format violation
            raise omemo.BundleDownloadFailed(f"invalid bundle {bare_jid} {node}: {describe(error)}") from error

    async def _delete_bundle(self, namespace: str, device_id: int) -> None:  # type: ignore[override]
        if namespace != NS:
            raise omemo.UnknownNamespace(namespace)
        try:
            await self.peer["xep_0060"].delete_node(None, f"{BUNDLE_NODE_PREFIX}{device_id}", timeout=IQ_TIMEOUT_S)
        except IqError as error:
            if error.condition != "item-not-found":
                raise omemo.BundleDeletionFailed(describe_iq_error(error)) from error
        except IqTimeout as error:
            raise omemo.BundleDeletionFailed("timeout") from error

    async def _upload_device_list(  # type: ignore[override]
        self, namespace: str, device_list: Dict[int, Optional[str]]
    ) -> None:
        if namespace != NS:
            raise omemo.UnknownNamespace(namespace)
        try:
            await self.peer.publish_open(DEVICE_LIST_NODE, oldmemo_etree.serialize_device_list(device_list))
        except (IqError, IqTimeout) as error:
            raise omemo.DeviceListUploadFailed(describe_iq_error(error)) from error

    async def _download_device_list(  # type: ignore[override]
        self, namespace: str, bare_jid: str
    ) -> Dict[int, Optional[str]]:
        if namespace != NS:
            raise omemo.UnknownNamespace(namespace)
        try:
            payload = await self.peer.fetch_current_item(bare_jid, DEVICE_LIST_NODE)
        except IqError as error:
            # Prosody answers a missing node with <item-not-found/> only (no legacy code="404").
            if error.condition == "item-not-found":
                return {}
            raise omemo.DeviceListDownloadFailed(f"{bare_jid}: {describe_iq_error(error)}") from error
        except IqTimeout as error:
            raise omemo.DeviceListDownloadFailed(f"{bare_jid}: timeout") from error
        if payload is None or len(payload) == 0:
            return {}
        try:
            # Validates against the XEP's device list schema.
            return oldmemo_etree.parse_device_list(payload)
        except Exception as error:
            raise omemo.DeviceListDownloadFailed(f"invalid device list of {bare_jid}: {describe(error)}") from error

    async def _evaluate_custom_trust_level(self, device: omemo.DeviceInformation) -> omemo.TrustLevel:
        name = device.trust_level_name
        if name in (TRUST_TRUSTED, TRUST_BLIND):
            return omemo.TrustLevel.TRUSTED
        if name == TRUST_DISTRUSTED:
            return omemo.TrustLevel.DISTRUSTED
        if name == TRUST_UNDECIDED:
            return omemo.TrustLevel.TRUSTED if self.peer.trust_all else omemo.TrustLevel.UNDECIDED
        raise omemo.UnknownTrustLevel(name)

    async def _make_trust_decision(
        self, undecided: FrozenSet[omemo.DeviceInformation], identifier: Optional[str]
    ) -> None:
        if not self.peer.trust_all:
            raise omemo.TrustDecisionFailed(
                f"blind trust is off and {len(undecided)} device(s) of {identifier} are undecided"
            )
        for device in undecided:
            await self.set_trust(device.bare_jid, device.identity_key, TRUST_BLIND)

    async def _send_message(self, message: omemo.Message, bare_jid: str) -> None:  # type: ignore[override]
        # Library-initiated empty OMEMO messages (session completion after a key exchange, staleness).
        try:
            message_id = self.peer.send_encrypted(bare_jid, oldmemo_etree.serialize_message(message), body=None)
        except Exception as error:
            raise omemo.MessageSendingFailed(describe(error)) from error
        LOG.info("sent library-initiated empty OMEMO message %s to %s", message_id, bare_jid)


def describe_iq_error(error: BaseException) -> str:
    if isinstance(error, IqError):
        text = error.text or ""
        extra = ""
        if error.iq.xml.find(f".//{{{NS_PUBSUB_ERRORS}}}precondition-not-met") is not None:
            extra = " (precondition-not-met)"
        return f"{error.etype} {error.condition}{extra}{': ' + text if text else ''}"
    if isinstance(error, IqTimeout):
        return "timeout"
    return describe(error)


# --------------------------------------------------------------------------------------------------------
# The XMPP side
# --------------------------------------------------------------------------------------------------------

class OmemoPeer(slixmpp.ClientXMPP):
    def __init__(self, args: argparse.Namespace) -> None:
        super().__init__(args.jid, args.password)
        self.args = args
        self.own_bare = JID(args.jid).bare
        self.trust_all = True
        self.quitting = False
        self.session_manager: Optional[PeerSessionManager] = None
        self.own_device_id = 0
        self.omemo_lock = asyncio.Lock()
        self.incoming: "asyncio.Queue[slixmpp.Message]" = asyncio.Queue()
        self.mam_queries: Dict[str, List[Tuple[str, ET.Element]]] = {}
        self.session_started = asyncio.Event()
        self.startup_failure: Optional[str] = None
        self.data_dir = Path(args.data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.state = PeerState(self.data_dir / "peer-state.json")
        self.exit_code: Optional[int] = None
        self.done = asyncio.Event()

        # TLS: verify against the test CA, for the JID's domain, whatever address we connect to.
        self.ca_certs = Path(args.ca_file)
        self.default_domain = JID(args.jid).domain
        self.use_ipv6 = False

        for plugin in ("xep_0030", "xep_0004", "xep_0128", "xep_0115", "xep_0060"):
            self.register_plugin(plugin)

        self.add_event_handler("session_start", self._on_session_start)
        self.add_event_handler("failed_auth", self._on_failed_auth)
        self.add_event_handler("connection_failed", self._on_connection_failed)
        self.add_event_handler("ssl_invalid_chain", self._on_tls_failure)
        self.add_event_handler("disconnected", self._on_disconnected)
        # slixmpp's "message" event only fires for messages with a <body>: take every <message> instead.
        self.register_handler(Callback("omemo-peer messages", MatchXPath(f"{{{NS_CLIENT}}}message"),
                                       self._on_message))

    # Connect only to the given address: no SRV/A lookups of the domain.
    async def get_dns_records(self, domain: str, port: Optional[int] = None) -> List[Tuple[str, str, int]]:
        return [(self.default_domain, self.args.host, int(self.args.port))]

    # ---- connection lifecycle ------------------------------------------------------------------------

    def _on_session_start(self, _event: Any) -> None:
        self.session_started.set()

    def _on_failed_auth(self, _event: Any) -> None:
        self.startup_failure = "authentication failed"
        self.session_started.set()

    def _on_connection_failed(self, error: Any) -> None:
        LOG.warning("connection failed: %s", error)

    def _on_tls_failure(self, error: Any) -> None:
        self.startup_failure = f"TLS certificate verification failed: {error}"
        self.session_started.set()
        self.abort()

    def _on_disconnected(self, reason: Any) -> None:
        if self.quitting:
            return
        message = f"disconnected from the server ({reason})"
        if not self.session_started.is_set():
            self.startup_failure = self.startup_failure or message
            self.session_started.set()
            return
        self.fail(message, 3)

    def fail(self, message: str, code: int) -> None:
        if self.exit_code is not None:
            return
        LOG.error("%s", message)
        emit({"event": "fatal", "message": message})
        self.exit_code = code
        self.done.set()

    async def start(self) -> None:
        self.connect(address=(self.args.host, int(self.args.port)), force_starttls=True)
        try:
            await asyncio.wait_for(self.session_started.wait(), STARTUP_TIMEOUT_S)
        except asyncio.TimeoutError:
            self.startup_failure = "timed out connecting"
        if self.startup_failure is not None:
            raise RuntimeError(self.startup_failure)

        # Advertise +notify so PEP pushes device list changes (XEP-0163 §4, XEP-0384 §4.2).
        await self["xep_0030"].add_feature(f"{DEVICE_LIST_NODE}+notify")
        await self["xep_0115"].update_caps(broadcast=False)

        storage = JsonFileStorage(self.data_dir / "omemo-storage.json")
        manager_class = type("BoundPeerSessionManager", (PeerSessionManager,), {"peer": self})
        self.session_manager = await manager_class.create(
            [oldmemo.Oldmemo(storage)],
            storage,
            self.own_bare,
            None,
            TRUST_UNDECIDED,
        )
        self.own_device_id = (await self.session_manager.get_own_device_information())[0].device_id
        # create() publishes only on the first run; on a restart make sure the device list still lists us
        # and the bundle on the server matches ours.
        await self.session_manager.ensure_data_consistency()

        await self._iq_set(ET.Element(f"{{{NS_CARBONS}}}enable"))

        catchup_count: Optional[int] = None
        if self.args.mam_catchup:
            # Querying MAM before the initial presence makes Prosody skip offline delivery (mod_mam marks
            # the session mam_requested): everything missed comes from the archive.
            catchup_count = (await self.fetch_mam())["count"]
        else:
            await self.session_manager.after_history_sync()

        self.send_presence()
        asyncio.ensure_future(self._incoming_worker())

        own_device, _ = await self.session_manager.get_own_device_information()
        emit({
            "event": "ready",
            "jid": str(self.boundjid),
            "device_id": own_device.device_id,
            "fingerprint": fingerprint_of(own_device.identity_key),
            "mam_catchup_count": catchup_count,
        })

    async def quit(self) -> None:
        self.quitting = True
        try:
            await asyncio.wait_for(self.disconnect(), 10)
        except Exception as error:  # already gone or slow: we exit anyway
            LOG.warning("disconnect: %s", describe(error))
        if self.exit_code is None:
            self.exit_code = 0
        self.done.set()

    # ---- PEP -----------------------------------------------------------------------------------------

    def _open_access_form(self, form_type: str) -> Any:
        form = self["xep_0004"].make_form(ftype="submit")
        form.add_field(var="FORM_TYPE", ftype="hidden", value=form_type)
        form.add_field(var="pubsub#access_model", value="open")
        return form

    async def publish_open(self, node: str, payload: ET.Element) -> None:
        """Publish item 'current' with publish-options access_model=open (XEP-0060 §7.1.5)."""
        options = self._open_access_form("http://jabber.org/protocol/pubsub#publish-options")
        try:
            await self["xep_0060"].publish(None, node, id="current", payload=payload, options=options,
                                           timeout=IQ_TIMEOUT_S)
            return
        except IqError as error:
            if error.condition != "conflict":
                raise
            LOG.info("publish-options refused for %s (%s), reconfiguring the node", node, describe_iq_error(error))
        config = self._open_access_form("http://jabber.org/protocol/pubsub#node_config")
        await self["xep_0060"].set_node_config(None, node, config, timeout=IQ_TIMEOUT_S)
        options = self._open_access_form("http://jabber.org/protocol/pubsub#publish-options")
        await self["xep_0060"].publish(None, node, id="current", payload=payload, options=options,
                                       timeout=IQ_TIMEOUT_S)

    async def fetch_current_item(self, bare_jid: str, node: str) -> Optional[ET.Element]:
        """The payload of item 'current' of a PEP node (or of its last item, with a warning)."""
        result = await self["xep_0060"].get_items(bare_jid, node, timeout=IQ_TIMEOUT_S)
        items = [item for item in result["pubsub"]["items"]]
        if not items:
            return None
        chosen = next((item for item in items if item["id"] == "current"), None)
        if chosen is None:
            chosen = items[-1]
            LOG.warning("%s %s has no item 'current'; using item %r", bare_jid, node, chosen["id"])
        payload = chosen.xml.find("*")
        return payload

    async def _iq_set(self, payload: ET.Element) -> Any:
        iq = self.make_iq_set()
        iq.xml.append(payload)
        return await iq.send(timeout=IQ_TIMEOUT_S)

    # ---- sending -------------------------------------------------------------------------------------

    def send_encrypted(self, to: str, encrypted: ET.Element, body: Optional[str]) -> str:
        message = self.make_message(mto=to, mtype="chat")
        message_id = str(uuid.uuid4())
        message["id"] = message_id
        if body is not None:
            ET.SubElement(message.xml, f"{{{NS_CLIENT}}}body").text = body
        message.xml.append(encrypted)
        if body is not None:
            ET.SubElement(message.xml, f"{{{NS_EME}}}encryption", {"namespace": NS, "name": "OMEMO"})
        # Prosody archives a body-less message only with a store hint; keep it for all OMEMO elements.
        ET.SubElement(message.xml, f"{{{NS_HINTS}}}store")
        ET.SubElement(message.xml, f"{{{NS_SID}}}origin-id", {"id": message_id})
        message.send()
        return message_id

    async def encrypt_and_send(self, to: str, plaintext: Optional[str]) -> Dict[str, Any]:
        """plaintext None: a KeyTransportElement (XEP-0384 §4.6)."""
        assert self.session_manager is not None
        manager = self.session_manager
        recipient = JID(to).bare
        async with self.omemo_lock:
            # The library encrypts for the device lists it has cached: refresh them first.
            await manager.refresh_device_list(NS, recipient)
            if recipient != self.own_bare:
                try:
                    await manager.refresh_device_list(NS, self.own_bare)
                except omemo.DeviceListDownloadFailed as error:
                    LOG.warning("could not refresh own device list: %s", describe(error))
            # An empty plaintext gives empty AES-GCM ciphertext; oldmemo then omits <payload>: a key
            # transport carrying key || tag (32 bytes) like any other OMEMO message.
            data = b"" if plaintext is None else plaintext.encode("utf-8")
            messages, errors = await manager.encrypt(frozenset([recipient]), {NS: data}, identifier=recipient)
            if not messages:
                raise ValueError(f"no device to encrypt for (device lists of {recipient} and {self.own_bare})")
            message = next(iter(messages.keys()))
            encrypted = oldmemo_etree.serialize_message(message)
            message_id = self.send_encrypted(recipient, encrypted, None if plaintext is None else FALLBACK_BODY)
        recipients = sorted(
            ({"jid": key.bare_jid, "device_id": key.device_id, "prekey": exchange is not None}
             for key, exchange in message.keys),
            key=lambda entry: (entry["jid"], entry["device_id"]),
        )
        skipped = [
            {"jid": error.bare_jid, "device_id": error.device_id, "reason": describe(error.exception)}
            for error in errors
        ]
        return {
            "message_id": message_id,
            "devices": [entry["device_id"] for entry in recipients],
            "recipients": recipients,
            "skipped": skipped,
        }

    # ---- receiving -----------------------------------------------------------------------------------

    def _on_message(self, message: slixmpp.Message) -> None:
        # Synchronous, so stanzas are handled in stream order. MAM results go to the running query,
        # everything else to the worker.
        result = message.xml.find(f"{{{NS_MAM}}}result")
        if result is not None:
            collected = self.mam_queries.get(result.get("queryid", ""))
            sender = message["from"]
            if collected is None or (str(sender) and sender.bare != self.own_bare):
                LOG.warning("ignoring MAM result for unknown query or from %s", sender)
                return
            forwarded = result.find(f"{{{NS_FORWARD}}}forwarded")
            inner = forwarded.find(f"{{{NS_CLIENT}}}message") if forwarded is not None else None
            if inner is not None:
                delay = forwarded.find(f"{{{NS_DELAY}}}delay")
                if delay is not None and inner.find(f"{{{NS_DELAY}}}delay") is None:
                    inner.append(delay)
                collected.append((result.get("id", ""), inner))
            return
        self.incoming.put_nowait(message)

    async def _incoming_worker(self) -> None:
        while True:
            message = await self.incoming.get()
            try:
                await self._handle_incoming(message)
            except Exception:
                LOG.exception("failed to handle an incoming message")

    async def _handle_incoming(self, message: slixmpp.Message) -> None:
        if message["type"] == "error":
            LOG.warning("error message from %s: %s", message["from"], ET.tostring(message.xml, encoding="unicode"))
            return
        sender = message["from"]

        event = message.xml.find(f"{{{NS_PUBSUB_EVENT}}}event")
        if event is not None:
            await self._handle_pep_event(sender.bare or self.own_bare, event)
            return

        for kind in ("received", "sent"):
            carbon = message.xml.find(f"{{{NS_CARBONS}}}{kind}")
            if carbon is None:
                continue
            # XEP-0280 §11: only our own bare JID may send carbons.
            if str(sender) != self.own_bare:
                LOG.warning("dropping a carbon from %s (not our bare JID)", sender)
                return
            inner = carbon.find(f"{{{NS_FORWARD}}}forwarded/{{{NS_CLIENT}}}message")
            if inner is not None:
                await self.process_omemo_message(inner, inner.get("from") or self.own_bare, "carbon", None)
            return

        if message["type"] == "groupchat":
            return
        await self.process_omemo_message(message.xml, str(sender) or self.own_bare, "live", None)

    async def _handle_pep_event(self, publisher: str, event: ET.Element) -> None:
        items = event.find(f"{{{NS_PUBSUB_EVENT}}}items[@node='{DEVICE_LIST_NODE}']")
        if items is None:
            return
        item = items.find(f"{{{NS_PUBSUB_EVENT}}}item")
        payload = item.find("*") if item is not None else None
        if payload is None:
            return
        try:
            device_list = {} if len(payload) == 0 else oldmemo_etree.parse_device_list(payload)
        except Exception as error:
            LOG.warning("invalid device list push from %s: %s", publisher, describe(error))
            return
        assert self.session_manager is not None
        async with self.omemo_lock:
            await self.session_manager.update_device_list(NS, publisher, device_list)
        LOG.info("device list of %s: %s", publisher, sorted(device_list))

    def _stanza_id(self, message: ET.Element) -> Optional[str]:
        # XEP-0359: trust only a stanza-id our own server stamped for our account.
        for element in message.findall(f"{{{NS_SID}}}stanza-id"):
            if element.get("by") == self.own_bare:
                return element.get("id")
        return None

    async def process_omemo_message(
        self, message: ET.Element, sender_jid: str, source: str, archive_id: Optional[str]
    ) -> bool:
        """Decrypt one OMEMO message once. Returns whether an event was emitted."""
        encrypted = message.find(f"{{{NS}}}encrypted")
        if encrypted is None:
            return False
        assert self.session_manager is not None
        sender = JID(sender_jid).bare
        header = encrypted.find(f"{{{NS}}}header")
        sid_text = header.get("sid") if header is not None else None
        iv = header.find(f"{{{NS}}}iv") if header is not None else None
        sender_device: Optional[int]
        try:
            sender_device = int(sid_text) if sid_text is not None else None
        except ValueError:
            sender_device = None
        own_device_id = self.own_device_id
        if sender == self.own_bare and sender_device == own_device_id:
            return False  # our own message, reflected by the archive or a carbon

        stanza_id = archive_id or self._stanza_id(message)
        dedupe_keys = [f"omemo:{sender}:{sid_text}:{(iv.text or '').strip() if iv is not None else ''}"]
        if stanza_id is not None:
            dedupe_keys.append(f"stanza-id:{stanza_id}")
        if any(key in self.state.seen for key in dedupe_keys):
            LOG.info("skipping an already processed OMEMO message from %s/%s (%s)", sender, sid_text, source)
            return False
        self.state.seen.update(dedupe_keys)
        self.state.save()

        common = {
            "from": sender,
            "sender_device": sender_device,
            "source": source,
            "message_id": message.get("id"),
        }
        our_key = None
        if header is not None:
            our_key = next((key for key in header.findall(f"{{{NS}}}key") if key.get("rid") == str(own_device_id)),
                           None)
        async with self.omemo_lock:
            try:
                # Validates <encrypted> against the XEP schema and needs the sender's bundle (identity key).
                parsed = await oldmemo_etree.parse_message(encrypted, sender, self.own_bare, self.session_manager)
                plaintext, device, key_material = await self.session_manager.decrypt(parsed)
            except omemo.MessageNotForUs as error:
                # XEP-0384 §4.7 says discard silently; tests want to know.
                emit({"event": "decrypt_error", **common, "message": describe(error), "not_for_us": True})
                return True
            except Exception as error:
                LOG.warning("could not decrypt a message from %s/%s: %s", sender, sid_text, describe(error),
                            exc_info=self.args.debug)
                emit({"event": "decrypt_error", **common, "message": describe(error), "not_for_us": False})
                return True
        LOG.info("decrypted %s from %s/%s (%s, id %s)", "a key transport" if plaintext is None else "a message",
                 sender, device.device_id, source, message.get("id"))
        emit({
            "event": "message",
            **common,
            "sender_device": device.device_id,
            "body": None if plaintext is None else plaintext.decode("utf-8", errors="replace"),
            "key_transport": plaintext is None,
            "stanza_id": stanza_id,
            "delayed": message.find(f"{{{NS_DELAY}}}delay") is not None,
            "prekey": our_key is not None and our_key.get("prekey") in ("true", "1"),
            # What our <key> carried: 32 = AES key || GCM tag (XEP-0384 §4.5/4.6). python-omemo's own
            # library-initiated empty messages carry the 16-byte key alone.
            "key_material_length": len(key_material.key) + len(key_material.auth_tag),
        })
        return True

    # ---- MAM -----------------------------------------------------------------------------------------

    async def fetch_mam(self) -> Dict[str, int]:
        """Page through the own archive (after the last archive id a previous fetch processed)."""
        assert self.session_manager is not None
        count = found = skipped = 0
        after = self.state.last_mam_id
        # XEP-0384 §5: keep used pre keys until catch-up is over; defer the session-completing messages.
        self.session_manager.before_history_sync()
        try:
            while True:
                query_id = str(uuid.uuid4())
                query = ET.Element(f"{{{NS_MAM}}}query", {"queryid": query_id})
                rsm = ET.SubElement(query, f"{{{NS_RSM}}}set")
                ET.SubElement(rsm, f"{{{NS_RSM}}}max").text = str(MAM_PAGE_SIZE)
                if after is not None:
                    ET.SubElement(rsm, f"{{{NS_RSM}}}after").text = after
                collected: List[Tuple[str, ET.Element]] = []
                self.mam_queries[query_id] = collected
                try:
                    result = await self._iq_set(query)
                finally:
                    del self.mam_queries[query_id]
                for archive_id, inner in collected:
                    if inner.find(f"{{{NS}}}encrypted") is not None:
                        found += 1
                        sender = inner.get("from") or self.own_bare
                        if await self.process_omemo_message(inner, sender, "mam", archive_id):
                            count += 1
                        else:
                            skipped += 1
                    after = archive_id
                    self.state.last_mam_id = archive_id
                    self.state.save()
                fin = result.xml.find(f"{{{NS_MAM}}}fin")
                if fin is None or fin.get("complete") in ("true", "1") or not collected:
                    break
                last = fin.find(f"{{{NS_RSM}}}set/{{{NS_RSM}}}last")
                if last is not None and last.text:
                    after = last.text
        finally:
            await self.session_manager.after_history_sync()
        LOG.info("MAM: %d OMEMO messages found, %d processed, %d skipped", found, count, skipped)
        return {"count": count, "found": found, "skipped": skipped}

    # ---- commands ------------------------------------------------------------------------------------

    async def handle_command(self, command: Dict[str, Any]) -> None:
        command_id = command.get("id")
        name = command.get("cmd")
        try:
            if name == "send":
                body = command.get("body")
                if not isinstance(body, str):
                    raise ValueError("send needs a string body")
                emit({"event": "sent", "id": command_id, **await self.encrypt_and_send(self._to(command), body)})
            elif name == "key_transport":
                emit({"event": "sent", "id": command_id, **await self.encrypt_and_send(self._to(command), None)})
            elif name == "trust_all":
                self.trust_all = bool(command.get("enabled", True))
                emit({"event": "ok", "id": command_id})
            elif name == "devices":
                emit({"event": "devices", "id": command_id, "devices": await self.devices_of(str(command["jid"]))})
            elif name == "fetch_mam":
                emit({"event": "mam_done", "id": command_id, **await self.fetch_mam()})
            elif name == "quit":
                await self.quit()
            else:
                raise ValueError(f"unknown command {name!r}")
        except Exception as error:
            LOG.warning("command %s (%s) failed: %s", name, command_id, describe(error), exc_info=self.args.debug)
            emit({"event": "error", "id": command_id, "message": describe(error)})

    @staticmethod
    def _to(command: Dict[str, Any]) -> str:
        to = command.get("to")
        if not isinstance(to, str) or not to:
            raise ValueError("missing 'to'")
        return to

    async def devices_of(self, jid: str) -> List[Dict[str, Any]]:
        assert self.session_manager is not None
        bare = JID(jid).bare
        async with self.omemo_lock:
            await self.session_manager.refresh_device_list(NS, bare)
            # Devices whose bundle cannot be fetched are left out by python-omemo.
            devices = await self.session_manager.get_device_information(bare)
        return sorted(
            ({"device_id": device.device_id, "fingerprint": fingerprint_of(device.identity_key),
              "trust": device.trust_level_name}
             for device in devices if dict(device.active).get(NS, False)),
            key=lambda entry: entry["device_id"],
        )


def drop_tracebacks_below_error(record: logging.LogRecord) -> bool:
    if record.levelno < logging.ERROR:
        record.exc_info = None
        record.exc_text = None
    return True


async def read_commands(peer: OmemoPeer) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=16 * 1024 * 1024)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while not peer.done.is_set():
        line = await reader.readline()
        if not line:
            LOG.info("stdin closed: quitting")
            await peer.quit()
            return
        text = line.decode("utf-8").strip()
        if not text:
            continue
        try:
            command = json.loads(text)
            if not isinstance(command, dict):
                raise ValueError("not an object")
        except ValueError as error:
            emit({"event": "error", "id": None, "message": f"invalid command line: {error}"})
            continue
        if command.get("cmd") == "quit":
            await peer.quit()
            return
        asyncio.ensure_future(peer.handle_command(command))


async def main() -> int:
    parser = argparse.ArgumentParser(description="OMEMO 0.3 interop test peer (JSON lines on stdin/stdout)")
    parser.add_argument("--jid", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", required=True, type=int)
    parser.add_argument("--ca-file", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--mam-catchup", action="store_true",
                        help="catch up from MAM before the initial presence (so no offline delivery)")
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args()

    logging.basicConfig(
        stream=sys.stderr,
        level=logging.DEBUG if args.debug else logging.INFO,
        format=f"%(asctime)s {JID(args.jid).user} %(name)s %(levelname)s %(message)s",
    )
    if not args.debug:
        logging.getLogger("slixmpp").setLevel(logging.WARNING)
        # python-omemo attaches tracebacks to expected warnings (a device without bundle...): keep the
        # stderr tail readable; --debug shows them.
        for handler in logging.getLogger().handlers:
            handler.addFilter(drop_tracebacks_below_error)
    LOG.info("omemo %s, oldmemo %s, slixmpp %s", omemo.__version__["full"], oldmemo.__version__["full"],
             slixmpp.__version__)

    peer = OmemoPeer(args)
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, lambda: asyncio.ensure_future(peer.quit()))
    try:
        await peer.start()
    except Exception as error:
        LOG.exception("startup failed")
        emit({"event": "fatal", "message": f"startup failed: {describe(error)}"})
        peer.abort()
        return 1
    commands = asyncio.ensure_future(read_commands(peer))
    await peer.done.wait()
    commands.cancel()
    return peer.exit_code or 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
