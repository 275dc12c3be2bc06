// Drives janus.js through the echotest the way the Janus demo does (WebSocket,
// no ICE servers, audio+video sendrecv), and exposes what the test checks in
// window.e2e. The test reads window.e2e and polls e2e.pc.getStats().
"use strict";

window.e2e = {
	state: "loading", errors: [], messages: [], webrtcState: [], mediaState: [],
	iceState: [], remoteTracks: [], pc: null, handle: null, janus: null, destroyed: false,
};

function e2eLog(what) {
	window.e2e.errors.push(String(what && what.message ? what.message : JSON.stringify(what)));
}

function startEchotest() {
	const e2e = window.e2e;
	const params = new URLSearchParams(window.location.search);
	const server = params.get("server");
	Janus.init({debug: params.get("debug") ? "all" : ["warn", "error"], callback: function() {
		if(!Janus.isWebrtcSupported()) {
			e2e.state = "no-webrtc";
			return;
		}
		e2e.state = "connecting";
		const janus = new Janus({
			server: server,
			iceServers: [],
			success: function() {
				e2e.state = "connected";
				janus.attach({
					plugin: "janus.plugin.echotest",
					opaqueId: "e2e-" + Janus.randomString(12),
					success: function(handle) {
						e2e.handle = handle;
						e2e.state = "attached";
						handle.createOffer({
							tracks: [
								{type: "audio", capture: true, recv: true},
								{type: "video", capture: true, recv: true},
							],
							success: function(jsep) {
								e2e.pc = handle.webrtcStuff.pc;
								e2e.state = "offered";
								handle.send({message: {audio: true, video: true}, jsep: jsep});
							},
							error: function(err) { e2e.state = "offer-error"; e2eLog(err); },
						});
					},
					error: function(err) { e2e.state = "attach-error"; e2eLog(err); },
					iceState: function(state) { e2e.iceState.push(state); },
					webrtcState: function(on, reason) { e2e.webrtcState.push({on: on, reason: reason || null}); },
					mediaState: function(medium, on, mid) { e2e.mediaState.push({medium: medium, on: on, mid: mid}); },
					onmessage: function(msg, jsep) {
						e2e.messages.push({msg: msg, jsep: jsep ? jsep.type : null});
						if(jsep) {
							e2e.handle.handleRemoteJsep({
								jsep: jsep,
								success: function() { e2e.state = "answered"; },
								error: function(err) { e2e.state = "answer-error"; e2eLog(err); },
							});
						}
					},
					onremotetrack: function(track, mid, on) {
						e2e.remoteTracks.push({kind: track.kind, mid: mid, on: on});
						if(on && track.kind === "video") {
							const video = document.getElementById("remote");
							video.srcObject = new MediaStream([track]);
						}
					},
					oncleanup: function() { e2e.cleanedUp = true; },
				});
			},
			error: function(err) { e2e.state = "session-error"; e2eLog(err); },
			destroyed: function() { e2e.destroyed = true; },
		});
		e2e.janus = janus;
	}});
}

window.addEventListener("load", startEchotest);
