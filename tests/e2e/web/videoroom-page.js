// Drives janus.js through the VideoRoom the way the multistream demo (mvideoroomtest.js)
// does: a publisher page (join, createOffer with sendonly audio+video, `configure` with the
// offer, handleRemoteJsep) or a subscriber page (join ptype subscriber with
// streams:[{feed}], createAnswer, `start`). The test reads window.e2e and polls
// e2e.pc.getStats().
"use strict";

window.e2e = {
	state: "loading", errors: [], messages: [], webrtcState: [], mediaState: [],
	iceState: [], remoteTracks: [], pc: null, handle: null, janus: null, destroyed: false,
	myId: null, privateId: null, published: false,
};

function e2eLog(what) {
	window.e2e.errors.push(String(what && what.message ? what.message : JSON.stringify(what)));
}

function publish(handle) {
	const e2e = window.e2e;
	const params = new URLSearchParams(window.location.search);
	// `simulcast=1`: three layers (h/m/l) as janus.js sends them with `simulcast: true`; the
	// camera is asked for 1280x720 so that Chromium sends all three.
	const simulcast = params.get("simulcast") === "1";
	const video = simulcast
		? {type: "video", capture: {width: {ideal: 1280}, height: {ideal: 720}}, recv: false, simulcast: true}
		: {type: "video", capture: true, recv: false};
	handle.createOffer({
		tracks: [
			{type: "audio", capture: true, recv: false},
			video,
		],
		success: function(jsep) {
			e2e.pc = handle.webrtcStuff.pc;
			e2e.state = "offered";
			handle.send({message: {request: "configure", audio: true, video: true}, jsep: jsep});
		},
		error: function(err) { e2e.state = "offer-error"; e2eLog(err); },
	});
}

function answer(handle, jsep, room) {
	const e2e = window.e2e;
	handle.createAnswer({
		jsep: jsep,
		// As the demo: only data here, audio/video are accepted recvonly automatically.
		tracks: [{type: "data"}],
		success: function(ours) {
			e2e.pc = handle.webrtcStuff.pc;
			e2e.state = "answering";
			handle.send({message: {request: "start", room: room}, jsep: ours});
		},
		error: function(err) { e2e.state = "answer-error"; e2eLog(err); },
	});
}

function startVideoRoom() {
	const e2e = window.e2e;
	const params = new URLSearchParams(window.location.search);
	const server = params.get("server");
	const mode = params.get("mode");
	const room = parseInt(params.get("room"), 10);
	const feed = params.get("feed") ? parseInt(params.get("feed"), 10) : null;
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
					plugin: "janus.plugin.videoroom",
					opaqueId: "e2e-" + Janus.randomString(12),
					success: function(handle) {
						e2e.handle = handle;
						e2e.state = "attached";
						if(mode === "publish") {
							handle.send({message: {request: "join", room: room, ptype: "publisher",
								display: "chromium-" + Janus.randomString(4)}});
						} else {
							handle.send({message: {request: "join", room: room, ptype: "subscriber",
								streams: [{feed: feed}]}});
						}
					},
					error: function(err) { e2e.state = "attach-error"; e2eLog(err); },
					iceState: function(state) { e2e.iceState.push(state); },
					webrtcState: function(on, reason) {
						e2e.webrtcState.push({on: on, reason: reason || null});
						if(on && mode === "publish")
							e2e.published = true;
					},
					mediaState: function(medium, on, mid) { e2e.mediaState.push({medium: medium, on: on, mid: mid}); },
					onmessage: function(msg, jsep) {
						e2e.messages.push({msg: msg, jsep: jsep ? jsep.type : null});
						const handle = e2e.handle;
						if(msg.error) {
							e2eLog(msg);
							return;
						}
						if(msg.videoroom === "joined") {
							e2e.myId = msg.id;
							e2e.privateId = msg.private_id;
							e2e.state = "joined";
							publish(handle);
						}
						if(jsep && jsep.type === "answer") {
							handle.handleRemoteJsep({
								jsep: jsep,
								success: function() { e2e.state = "answered"; },
								error: function(err) { e2e.state = "answer-error"; e2eLog(err); },
							});
						}
						if(jsep && jsep.type === "offer")
							answer(handle, jsep, room);
						if(msg.videoroom === "event" && msg.started === "ok")
							e2e.state = "started";
					},
					onlocaltrack: function(track, on) {},
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

window.addEventListener("load", startVideoRoom);
