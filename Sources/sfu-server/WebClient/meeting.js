// One person in one VideoRoom: a publisher handle that sends the local camera and microphone,
// and one subscriber handle (its own PeerConnection) per other participant. Knows nothing of
// the page: it reports what happens through `on*` callbacks and keeps `participants` and
// `hands` current.
import {JanusSession, JanusError} from "./janus-client.js";

const PLUGIN = "janus.plugin.videoroom";

// What a new room gets when the first person opens its link: talking events on (the speaking
// indicator), half a second of audio to decide (25 packets of 20 ms).
const NEW_ROOM = {publishers: 16, audiolevel_event: true, audio_active_packets: 25, audio_level_average: 40};

// Data saver: the publisher's bitrate cap (bits/s; 0: the room's), whether we send video, and
// what we receive of each other participant at most (bits/s; 0: no cap) — the server's
// subscriber `max_bitrate`: it picks their simulcast layers within it, or pauses their video
// (audio goes on) when not even the lowest fits.
export const QUALITIES = {
	audio: {label: "Audio only", bitrate: 64000, video: false, receive: 64000},
	low: {label: "Low", bitrate: 200000, video: true, receive: 250000},
	standard: {label: "Standard", bitrate: 600000, video: true, receive: 800000},
	best: {label: "Best", bitrate: 0, video: true, receive: 0},
};

export class Meeting {
	/** `moderatorSecret`: join as a moderator (and create the room with it); `lobby`: a room
	 * created here gets a waiting room. */
	constructor({janusPath, room, display, moderatorSecret = null, lobby = false}) {
		this.janusPath = janusPath;
		this.room = room;
		this.display = display;
		this.moderatorSecret = moderatorSecret;
		this.lobby = lobby;
		this.isModerator = false;
		this.waiting = []; // the lobby, for moderators: [{id, display}] in arrival order
		this.session = null;
		this.publisher = null;
		this.publisherPC = null;
		this.localStream = null;
		this.myId = null;
		this.privateId = null;
		this.participants = new Map(); // id -> {id, display, stream, pc, handle, talking, muted}
		this.hands = [];
		this.quality = "standard";
		this.audioOn = true;
		this.videoOn = true;
		this.onChange = () => {};
		this.onState = () => {};
		this.onError = () => {};
	}

	async join(localStream) {
		this.localStream = localStream;
		this.session = await new JanusSession(this.janusPath).create();
		this.session.onLost = (error) => this.onError(`connection to the server lost: ${error.message || error}`);
		this.publisher = await this.session.attach(PLUGIN);
		this.publisher.onMessage = (data, jsep) => this.publisherEvent(data, jsep);
		await this.ensureRoom();
		this.onState("joining");
		const join = {request: "join", ptype: "publisher", room: this.room, display: this.display};
		if (this.moderatorSecret) join.moderator_secret = this.moderatorSecret;
		const answer = await this.publisher.send(join);
		this.publisherEvent(answer.data, answer.jsep, true);
	}

	/** Creates the room if nobody has yet (two people creating it at once: one wins, both join). */
	async ensureRoom() {
		const exists = await this.publisher.request({request: "exists", room: this.room});
		if (exists.exists) return;
		try {
			const create = {request: "create", room: this.room, description: `Room ${this.room}`, ...NEW_ROOM};
			if (this.moderatorSecret) {
				create.moderator_secret = this.moderatorSecret;
				create.waiting_room = this.lobby;
			}
			await this.publisher.request(create);
		} catch (error) {
			if (!(error instanceof JanusError && error.code === 427)) throw error; // 427: exists now
		}
	}

	publisherEvent(data, jsep, fromJoin = false) {
		switch (data.videoroom) {
		case "waiting":
			this.myId = data.id;
			this.onState("waiting", data);
			break;
		case "rejected":
			this.onState("rejected", data);
			this.leave();
			break;
		case "joined":
			if (this.privateId !== null) break; // the join's answer, delivered once as event too
			this.myId = data.id;
			this.privateId = data.private_id;
			// A wrong moderator secret is refused (433), so a join that carried one made a moderator.
			this.isModerator = !!this.moderatorSecret;
			this.onState("joined", data);
			this.publish().catch((error) => this.onError(`publishing failed: ${error.message || error}`));
			this.addPublishers(data.publishers || []);
			if (data.hands) this.setHands(data.hands);
			break;
		case "event":
			if (data.publishers) this.addPublishers(data.publishers);
			if (data.unpublished && data.unpublished !== "ok") this.removeParticipant(data.unpublished);
			if (data.leaving) this.removeParticipant(data.leaving === "ok" ? this.myId : data.leaving);
			if (data.kicked) this.removeParticipant(data.kicked);
			// (A `configured` answer with its JSEP is taken by `publish()`, which awaits it.)
			break;
		case "talking":
		case "stopped-talking":
			this.setTalking(data.id, data.videoroom === "talking");
			break;
		case "hands":
			this.setHands(data.hands || []);
			break;
		case "lobby":
			this.waiting = (data.waiting || []).map((w) => ({id: w.id, display: w.display || `#${w.id}`}));
			this.onChange();
			break;
		case "role":
			if (data.id === this.myId) {
				this.isModerator = data.role === "moderator";
				if (!this.isModerator) this.waiting = [];
				this.onChange();
			}
			break;
		case "muted": {
			const who = this.participants.get(data.id);
			if (who) { who.muted = {audio: data.audio, video: data.video}; this.onChange(); }
			if (data.id === this.myId) this.onState("moderated", data);
			break;
		}
		case "destroyed":
			this.onState("ended", {reason: "the room was closed"});
			this.leave();
			break;
		default:
			if (fromJoin) break;
		}
	}

	async publish() {
		const pc = new RTCPeerConnection({iceServers: []});
		this.publisherPC = pc;
		pc.onicecandidate = (event) => this.publisher.trickle(event.candidate);
		for (const track of this.localStream.getTracks()) {
			track.enabled = track.kind === "audio" ? this.audioOn : this.sendsVideo;
		}
		for (const track of this.localStream.getTracks()) pc.addTransceiver(track, {direction: "sendonly", streams: [this.localStream]});
		const offer = await pc.createOffer();
		await pc.setLocalDescription(offer);
		const answer = await this.publisher.send({request: "configure", bitrate: QUALITIES[this.quality].bitrate},
			{type: offer.type, sdp: offer.sdp});
		if (answer.jsep) await pc.setRemoteDescription(answer.jsep);
		// Started with the mic, camera or video off: tell the server not to relay those.
		if (!this.audioOn || !this.sendsVideo) await this.applySending();
		this.onChange();
	}

	addPublishers(list) {
		for (const publisher of list) {
			if (publisher.id === this.myId || this.participants.has(publisher.id)) continue;
			const who = {id: publisher.id, display: publisher.display || `#${publisher.id}`, stream: new MediaStream(),
				pc: null, handle: null, talking: !!publisher.talking, muted: {audio: false, video: false}};
			this.participants.set(publisher.id, who);
			this.subscribe(who).catch((error) => this.onError(`receiving ${who.display} failed: ${error.message || error}`));
		}
		this.onChange();
	}

	async subscribe(who) {
		const handle = await this.session.attach(PLUGIN);
		who.handle = handle;
		const pc = new RTCPeerConnection({iceServers: []});
		who.pc = pc;
		pc.onicecandidate = (event) => handle.trickle(event.candidate);
		pc.ontrack = (event) => { who.stream.addTrack(event.track); this.onChange(); };
		handle.onMessage = (data, jsep) => {
			// Renegotiation (the feed changed its streams): answer the new offer.
			if (jsep && jsep.type === "offer" && data.videoroom !== "attached") this.answer(who, jsep).catch(() => {});
		};
		const streams = [{feed: who.id}];
		const attached = await handle.send({request: "join", ptype: "subscriber", room: this.room, streams,
			private_id: this.privateId});
		await this.answer(who, attached.jsep);
	}

	async answer(who, jsep) {
		await who.pc.setRemoteDescription(jsep);
		const answer = await who.pc.createAnswer();
		await who.pc.setLocalDescription(answer);
		await who.handle.send({request: "start", room: this.room}, {type: answer.type, sdp: answer.sdp});
		if (QUALITIES[this.quality].receive) await this.applyReceiving(who);
	}

	/** What we receive of `who` at most (the data saver's `receive`). */
	async applyReceiving(who) {
		if (!who.handle) return;
		await who.handle.send({request: "configure", max_bitrate: QUALITIES[this.quality].receive});
	}

	removeParticipant(id) {
		const who = this.participants.get(id);
		if (!who) return;
		this.participants.delete(id);
		if (who.pc) who.pc.close();
		if (who.handle) who.handle.detach();
		this.onChange();
	}

	setTalking(id, talking) {
		this.talkingEvents = (this.talkingEvents || 0) + 1;
		if (id === this.myId) this.talking = talking;
		const who = this.participants.get(id);
		if (who) who.talking = talking;
		this.onChange();
	}

	setHands(hands) {
		this.hands = hands.map((hand) => ({id: hand.id, display: hand.display}));
		this.onChange();
	}

	get handRaised() { return this.hands.some((hand) => hand.id === this.myId); }

	async toggleHand() {
		const data = await this.publisher.request({request: this.handRaised ? "lower_hand" : "raise_hand"});
		if (data.hands) this.setHands(data.hands);
	}

	/** Moderators: let a waiting joiner in (`id`), or everybody (`id` null). */
	async admit(id) {
		await this.publisher.request(id === null ? {request: "admit", all: true} : {request: "admit", id});
	}

	/** Moderators: turn a waiting joiner away, with a reason they see. */
	async reject(id, reason = "The host did not let you in.") {
		await this.publisher.request({request: "reject", id, reason});
	}

	/** Moderators: lower someone's hand. */
	async lowerHand(id) {
		const data = await this.publisher.request({request: "lower_hand", id});
		if (data.hands) this.setHands(data.hands);
	}

	/** Mic or camera on/off: the track stops sending, and the server stops relaying it. */
	async setSending(kind, on) {
		if (kind === "audio") this.audioOn = on; else this.videoOn = on;
		await this.applySending();
	}

	/** Data saver: caps what we publish (`bitrate`) and what we receive of each participant
	 * (`max_bitrate`); "audio only" also stops our video. */
	async setQuality(name) {
		if (!QUALITIES[name]) return;
		this.quality = name;
		await this.applySending();
		await Promise.all([...this.participants.values()].map((who) => this.applyReceiving(who)));
	}

	/** Per published m-line whether the server relays it (`configure` `streams`). */
	publishedStreams() {
		return this.publisherPC.getTransceivers().filter((t) => t.mid !== null).map((t) => ({
			mid: t.mid, send: t.sender.track && t.sender.track.kind === "audio" ? this.audioOn : this.sendsVideo,
		}));
	}

	/** Whether we send video: the camera is on and the quality allows it. */
	get sendsVideo() { return this.videoOn && QUALITIES[this.quality].video; }

	async applySending() {
		for (const track of this.localStream.getTracks()) {
			track.enabled = track.kind === "audio" ? this.audioOn : this.sendsVideo;
		}
		this.onChange();
		if (this.publisherPC) {
			await this.publisher.send({request: "configure", streams: this.publishedStreams(),
				bitrate: QUALITIES[this.quality].bitrate});
		}
	}

	/** Every PeerConnection with whose media it carries, for statistics. */
	peerConnections() {
		const list = [];
		if (this.publisherPC) list.push({id: this.myId, display: this.display, direction: "send", pc: this.publisherPC});
		for (const who of this.participants.values()) {
			if (who.pc) list.push({id: who.id, display: who.display, direction: "receive", pc: who.pc});
		}
		return list;
	}

	async leave() {
		for (const id of [...this.participants.keys()]) this.removeParticipant(id);
		if (this.publisherPC) this.publisherPC.close();
		if (this.localStream) for (const track of this.localStream.getTracks()) track.stop();
		if (this.session) await this.session.destroy();
	}
}
