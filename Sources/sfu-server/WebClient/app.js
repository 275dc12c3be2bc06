// The page: name and preview, then the call (grid, hands, controls). The room logic is in
// meeting.js, the Janus API in janus-client.js.
import {Meeting, QUALITIES} from "./meeting.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

/** The room from `?room=R`; without one, a fresh random room (put into the address to share). */
function roomFromAddress() {
	const text = params.get("room");
	if (text && /^[0-9]{1,15}$/.test(text) && Number(text) > 0) return Number(text);
	const room = 1000 + Math.floor(Math.random() * 9_000_000);
	params.set("room", String(room));
	history.replaceState(null, "", `${location.pathname}?${params}`);
	return room;
}

async function clientConfiguration() {
	try {
		const response = await fetch("client-config.json", {cache: "no-store"});
		if (response.ok) return await response.json();
	} catch (_) { /* served by something else: use the default path */ }
	return {janusPath: "/janus"};
}

function fillQualities(select, chosen) {
	for (const [value, quality] of Object.entries(QUALITIES)) {
		const option = document.createElement("option");
		option.value = value;
		option.textContent = quality.label;
		option.selected = value === chosen;
		select.append(option);
	}
}

function show(screen) {
	for (const id of ["lobby", "waiting", "call"]) $(id).hidden = id !== screen;
}

const room = roomFromAddress();
let localStream = null;
let meeting = null;
// Read by the end-to-end test (and handy in the console).
window.meetingPage = {room, state: "lobby", errors: [], get meeting() { return meeting; }};

function setState(state) {
	window.meetingPage.state = state;
	document.body.dataset.state = state;
}

function reportError(text) {
	window.meetingPage.errors.push(text);
	const status = meeting && meeting.myId !== null ? $("call-status") : $("lobby-status");
	status.textContent = text;
}

async function startPreview() {
	try {
		localStream = await navigator.mediaDevices.getUserMedia({audio: true, video: {width: {ideal: 640}, height: {ideal: 360}}});
		$("preview").srcObject = localStream;
	} catch (error) {
		reportError(`No camera or microphone: ${error.message}. Allow them and reload.`);
	}
}

// ---- the call ----

function tile(id, name, stream, {self = false} = {}) {
	let element = document.querySelector(`.tile[data-id="${id}"]`);
	if (!element) {
		element = document.createElement("figure");
		element.className = "tile";
		element.dataset.id = String(id);
		const video = document.createElement("video");
		video.autoplay = true;
		video.playsInline = true;
		video.muted = self; // never hear yourself
		const caption = document.createElement("figcaption");
		const label = document.createElement("span");
		label.className = "name";
		const badges = document.createElement("span");
		badges.className = "badges";
		caption.append(label, badges);
		element.append(video, caption);
		$("grid").append(element);
	}
	const video = element.querySelector("video");
	if (video.srcObject !== stream) video.srcObject = stream;
	element.querySelector(".name").textContent = self ? `${name} (you)` : name;
	return element;
}

function render() {
	if (!meeting) return;
	const handIds = meeting.hands.map((hand) => hand.id);
	const me = tile(meeting.myId, meeting.display, localStream, {self: true});
	me.classList.toggle("talking", !!meeting.talking && meeting.audioOn);
	me.classList.toggle("camera-off", !meeting.sendsVideo);
	setBadges(me, {hand: handIds.indexOf(meeting.myId), micOff: !meeting.audioOn});
	const present = new Set([String(meeting.myId)]);
	for (const who of meeting.participants.values()) {
		present.add(String(who.id));
		const element = tile(who.id, who.display, who.stream);
		element.classList.toggle("talking", who.talking);
		element.classList.toggle("camera-off", who.muted.video || who.stream.getVideoTracks().length === 0);
		setBadges(element, {hand: handIds.indexOf(who.id), micOff: who.muted.audio});
	}
	for (const element of [...document.querySelectorAll(".tile")]) {
		if (!present.has(element.dataset.id)) element.remove();
	}
	$("grid").dataset.count = String(present.size);
	renderHands();
	renderLobby();
	pressed($("mic"), meeting.audioOn, "Mic on", "Mic off");
	pressed($("camera"), meeting.videoOn, "Camera on", "Camera off");
	pressed($("hand"), meeting.handRaised, "Lower hand", "Raise hand");
	$("quality").value = meeting.quality;
}

// Lists are rebuilt only when what they show changed: rebuilding them on every talking event
// would swap a button from under a pointer between press and release, losing the click.
const shown = {hands: "", lobby: ""};

/** The raised hands in order; for moderators a Lower button on each. */
function renderHands() {
	const key = JSON.stringify([meeting.hands, meeting.isModerator, meeting.myId]);
	$("no-hands").hidden = meeting.hands.length > 0;
	$("side").classList.toggle("has-hands", meeting.hands.length > 0);
	if (key === shown.hands) return;
	shown.hands = key;
	$("hands").replaceChildren(...meeting.hands.map((hand) => {
		const item = document.createElement("li");
		item.dataset.id = String(hand.id);
		item.textContent = hand.id === meeting.myId ? `${hand.display} (you)` : hand.display;
		if (meeting.isModerator) {
			const lower = document.createElement("button");
			lower.type = "button";
			lower.className = "small lower";
			lower.textContent = "Lower";
			lower.addEventListener("click", () => meeting.lowerHand(hand.id).catch((e) => reportError(e.message)));
			item.append(" ", lower);
		}
		return item;
	}));
}

/** The moderator's lobby: who waits, with Admit / Reject each, and Admit all. */
function renderLobby() {
	$("lobby-panel").hidden = !meeting.isModerator;
	$("side").classList.toggle("has-waiting", meeting.isModerator && meeting.waiting.length > 0);
	if (!meeting.isModerator) return;
	const key = JSON.stringify(meeting.waiting);
	if (key === shown.lobby) return;
	shown.lobby = key;
	$("waiting-list").replaceChildren(...meeting.waiting.map((person) => {
		const item = document.createElement("li");
		item.dataset.id = String(person.id);
		const name = document.createElement("span");
		name.className = "name";
		name.textContent = person.display;
		const admit = document.createElement("button");
		admit.type = "button";
		admit.className = "small admit";
		admit.textContent = "Admit";
		admit.addEventListener("click", () => meeting.admit(person.id).catch((e) => reportError(e.message)));
		const reject = document.createElement("button");
		reject.type = "button";
		reject.className = "small reject";
		reject.textContent = "Reject";
		reject.addEventListener("click", () => meeting.reject(person.id).catch((e) => reportError(e.message)));
		item.append(name, admit, reject);
		return item;
	}));
	$("no-waiting").hidden = meeting.waiting.length > 0;
	$("admit-all").hidden = meeting.waiting.length < 2;
}

function setBadges(element, {hand, micOff}) {
	const badges = [];
	if (hand >= 0) badges.push(`hand ${hand + 1}`);
	if (micOff) badges.push("mic off");
	element.querySelector(".badges").textContent = badges.join(" · ");
	element.classList.toggle("hand", hand >= 0);
}

function pressed(button, on, onText, offText) {
	button.setAttribute("aria-pressed", String(on));
	button.textContent = on ? onText : offText;
}

async function join(event) {
	event.preventDefault();
	const display = $("name").value.trim();
	if (!display) return;
	if (!localStream) await startPreview();
	if (!localStream) return;
	localStorage.setItem("meeting-name", display);
	$("join").disabled = true;
	$("lobby-status").textContent = "Joining…";
	const {janusPath} = await clientConfiguration();
	// A host link: `&moderator=SECRET` (and `&lobby=1` for a waiting room when it creates the room).
	meeting = new Meeting({janusPath, room, display, moderatorSecret: params.get("moderator"),
		lobby: params.get("lobby") === "1"});
	meeting.quality = $("quality-join").value;
	meeting.onChange = render;
	meeting.onError = reportError;
	meeting.onState = (state, data) => {
		setState(state);
		if (state === "waiting") show("waiting");
		if (state === "joined") { show("call"); render(); }
		if (state === "rejected" || state === "ended") {
			show("waiting");
			$("waiting-title").textContent = state === "rejected" ? "You were not let in" : "The meeting has ended";
			$("waiting-text").textContent = data.message || data.reason || "";
			$("waiting-leave").textContent = "Close";
		}
		if (state === "moderated") {
			$("call-status").textContent = data.audio || data.video ? "A moderator muted you." : "";
		}
	};
	try {
		await meeting.join(localStream);
	} catch (error) {
		reportError(`Could not join: ${error.message || error}`);
		$("join").disabled = false;
	}
}

async function leave() {
	if (meeting) await meeting.leave();
	setState("left");
	params.delete("lobby");
	location.href = `${location.pathname}?${params}`;
}

function wire() {
	$("room-label").textContent = String(room);
	document.title = `Room ${room} · swift-sfu`;
	$("name").value = localStorage.getItem("meeting-name") || "";
	fillQualities($("quality-join"), "standard");
	fillQualities($("quality"), "standard");
	$("join-form").addEventListener("submit", join);
	$("mic").addEventListener("click", () => meeting.setSending("audio", !meeting.audioOn).catch((e) => reportError(e.message)));
	$("camera").addEventListener("click", () => meeting.setSending("video", !meeting.videoOn).catch((e) => reportError(e.message)));
	$("hand").addEventListener("click", () => meeting.toggleHand().catch((e) => reportError(e.message)));
	$("quality").addEventListener("change", (event) => meeting.setQuality(event.target.value).catch((e) => reportError(e.message)));
	$("leave").addEventListener("click", leave);
	$("admit-all").addEventListener("click", () => meeting.admit(null).catch((e) => reportError(e.message)));
	$("waiting-leave").addEventListener("click", leave);
	addEventListener("pagehide", () => { if (meeting) meeting.leave(); });
	setState("lobby");
	startPreview();
}

wire();
