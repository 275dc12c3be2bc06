"""A minimal configuration for the real Janus 1.1.2 (Debian package `janus`) as the reference
server in the end-to-end tests: echotest (and optionally videoroom) only, HTTP and WebSocket
transports bound to one address each, ICE gathering restricted to the test address(es),
half trickle (candidates in the SDP), a fixed media port range."""

from __future__ import annotations

import os
from pathlib import Path

JANUS_LIB_DIR = Path(os.environ.get("SFU_E2E_JANUS_LIB_DIR", "/usr/lib/x86_64-linux-gnu/janus"))

ALL_PLUGINS = ["audiobridge", "duktape", "echotest", "lua", "nosip", "recordplay", "sip",
               "streaming", "textroom", "videocall", "videoroom", "voicemail"]


def write_janus_config(confdir: Path, http: tuple[str, int], ws: tuple[str, int],
                       ice_addresses: list[str], media_ports: tuple[int, int],
                       session_timeout: int = 60, debug_level: int | None = None,
                       plugins: tuple[str, ...] = ("echotest",),
                       admin: tuple[str, int] | None = None, admin_secret: str | None = None) -> Path:
    """Write janus.jcfg and the transport/plugin configs into `confdir`; returns janus.jcfg.

    ICE: `ice_enforce_list` holds the addresses (Janus matches interface names and IP
    addresses), so only those are gathered; `interface` (the c= address) is the first."""
    confdir.mkdir(parents=True, exist_ok=True)
    wanted = set(plugins)
    if os.environ.get("SFU_E2E_JANUS_VIDEOROOM") == "1":
        wanted.add("videoroom")
    disabled_plugins = ",".join(f"libjanus_{p}.so" for p in ALL_PLUGINS if p not in wanted)
    if debug_level is None:
        debug_level = int(os.environ.get("SFU_E2E_JANUS_DEBUG", "4"))
    (confdir / "janus.jcfg").write_text(f"""
general: {{
    configs_folder = "{confdir}"
    plugins_folder = "{JANUS_LIB_DIR}/plugins"
    transports_folder = "{JANUS_LIB_DIR}/transports"
    events_folder = "{JANUS_LIB_DIR}/events"
    loggers_folder = "{JANUS_LIB_DIR}/loggers"
    debug_level = {debug_level}
    debug_timestamps = true
    debug_colors = false
    interface = "{ice_addresses[0]}"
    session_timeout = {session_timeout}
{f'    admin_secret = "{admin_secret}"' if admin_secret else ""}
}}
certificates: {{
}}
media: {{
    ipv6 = false
    rtp_port_range = "{media_ports[0]}-{media_ports[1]}"
}}
nat: {{
    nice_debug = false
    full_trickle = false
    ice_lite = false
    ice_enforce_list = "{",".join(ice_addresses)}"
}}
plugins: {{
    disable = "{disabled_plugins}"
}}
transports: {{
    disable = "libjanus_mqtt.so,libjanus_nanomsg.so,libjanus_pfunix.so,libjanus_rabbitmq.so"
}}
loggers: {{
    disable = "libjanus_jsonlog.so"
}}
events: {{
    broadcast = false
    disable = "libjanus_gelfevh.so,libjanus_mqttevh.so,libjanus_nanomsgevh.so,libjanus_rabbitmqevh.so,libjanus_sampleevh.so,libjanus_wsevh.so"
}}
""")
    (confdir / "janus.transport.http.jcfg").write_text(f"""
general: {{
    json = "compact"
    base_path = "/janus"
    http = true
    port = {http[1]}
    ip = "{http[0]}"
    https = false
}}
admin: {{
    admin_http = {"true" if admin else "false"}
    admin_base_path = "/admin"
    admin_port = {admin[1] if admin else 7088}
    admin_ip = "{admin[0] if admin else "127.0.0.1"}"
    admin_https = false
}}
cors: {{
}}
""")
    (confdir / "janus.transport.websockets.jcfg").write_text(f"""
general: {{
    json = "compact"
    ws = true
    ws_port = {ws[1]}
    ws_ip = "{ws[0]}"
    wss = false
}}
admin: {{
    admin_ws = false
}}
""")
    for plugin in wanted:
        (confdir / f"janus.plugin.{plugin}.jcfg").write_text("general: {\n}\n")
    return confdir / "janus.jcfg"
