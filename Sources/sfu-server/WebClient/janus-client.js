// A small client of the Janus REST API (janus-api.md §7.1) on the page's own origin: one
// session, handles on it, requests matched to answers by transaction, and one long poll that
// delivers asynchronous events to the handle they name. Same-origin REST keeps the page working
// behind any HTTPS reverse proxy that forwards `/` and `/janus` (no second port, no WebSocket).

let transactionCounter = 0;
function newTransaction() {
	transactionCounter += 1;
	return `t${Date.now().toString(36)}${transactionCounter}`;
}

export class JanusError extends Error {
	constructor(code, reason) {
		super(`${reason} (${code})`);
		this.code = code;
		this.reason = reason;
	}
}

export class JanusSession {
	/** @param {string} path the API's base path on this origin, e.g. "/janus" */
	constructor(path) {
		this.path = path;
		this.id = null;
		this.handles = new Map();
		this.pending = new Map(); // transaction -> {resolve, reject} for asynchronous answers
		this.closed = false;
		this.onLost = null;
	}

	async post(url, body) {
		const response = await fetch(url, {
			method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body),
		});
		if (!response.ok) throw new JanusError(response.status, `HTTP ${response.status}`);
		const reply = await response.json();
		if (reply.janus === "error") throw new JanusError(reply.error.code, reply.error.reason);
		return reply;
	}

	async create() {
		const reply = await this.post(this.path, {janus: "create", transaction: newTransaction()});
		this.id = reply.data.id;
		this.poll();
		return this;
	}

	async attach(plugin) {
		const reply = await this.post(`${this.path}/${this.id}`,
			{janus: "attach", plugin, transaction: newTransaction()});
		const handle = new JanusHandle(this, reply.data.id);
		this.handles.set(handle.id, handle);
		return handle;
	}

	async destroy() {
		if (this.closed || this.id === null) return;
		this.closed = true;
		try {
			await this.post(`${this.path}/${this.id}`, {janus: "destroy", transaction: newTransaction()});
		} catch (_) { /* the session may be gone already */ }
	}

	/** The long poll: events for every handle of the session, up to 10 per answer. */
	async poll() {
		let failures = 0;
		while (!this.closed) {
			try {
				const response = await fetch(`${this.path}/${this.id}?maxev=10&rid=${Date.now()}`, {cache: "no-store"});
				if (!response.ok) throw new Error(`HTTP ${response.status}`);
				const body = await response.json();
				failures = 0;
				for (const event of Array.isArray(body) ? body : [body]) this.dispatch(event);
			} catch (error) {
				failures += 1;
				if (failures >= 3 && !this.closed) {
					this.closed = true;
					if (this.onLost) this.onLost(error);
					return;
				}
				await new Promise((resolve) => setTimeout(resolve, 1000));
			}
		}
	}

	dispatch(event) {
		if (event.janus === "keepalive") return;
		if (event.janus === "error" && event.error && event.error.code === 458) { // session gone
			this.closed = true;
			if (this.onLost) this.onLost(new JanusError(458, event.error.reason));
			return;
		}
		const waiter = event.transaction && this.pending.get(event.transaction);
		if (waiter && event.janus === "event") {
			this.pending.delete(event.transaction);
			const data = event.plugindata && event.plugindata.data;
			if (data && data.error_code) waiter.reject(new JanusError(data.error_code, data.error));
			else waiter.resolve({data: data || {}, jsep: event.jsep});
			// A deferred answer is also an event of the handle (e.g. `joined`, `waiting`).
		}
		const handle = this.handles.get(event.sender);
		if (handle) handle.deliver(event);
	}
}

export class JanusHandle {
	constructor(session, id) {
		this.session = session;
		this.id = id;
		this.onMessage = null; // (data, jsep) for plugin events
		this.onWebRTCUp = null;
		this.onHangup = null;
	}

	get url() { return `${this.session.path}/${this.session.id}/${this.id}`; }

	/** A synchronous plugin request: the answer is in the HTTP response. */
	async request(body) {
		const reply = await this.session.post(this.url, {janus: "message", body, transaction: newTransaction()});
		const data = reply.plugindata && reply.plugindata.data;
		if (!data) throw new JanusError(0, `unexpected reply ${reply.janus}`);
		if (data.error_code) throw new JanusError(data.error_code, data.error);
		return data;
	}

	/** An asynchronous plugin request: acked at once, answered by an event with its transaction. */
	send(body, jsep) {
		const transaction = newTransaction();
		const pending = this.session.pending;
		const answer = new Promise((resolve, reject) => pending.set(transaction, {resolve, reject}));
		const message = {janus: "message", body, transaction};
		if (jsep) message.jsep = jsep;
		this.session.post(this.url, message).then((reply) => {
			if (reply.janus !== "success") return; // "ack": the event brings the answer
			// Answered at once (a request the plugin handles synchronously).
			const waiter = pending.get(transaction);
			pending.delete(transaction);
			const data = (reply.plugindata && reply.plugindata.data) || {};
			if (!waiter) return;
			if (data.error_code) waiter.reject(new JanusError(data.error_code, data.error));
			else waiter.resolve({data, jsep: reply.jsep});
		}, (error) => {
			const waiter = pending.get(transaction);
			pending.delete(transaction);
			if (waiter) waiter.reject(error);
		});
		return answer;
	}

	trickle(candidate) {
		const message = {janus: "trickle", transaction: newTransaction()};
		message.candidate = candidate ? {candidate: candidate.candidate, sdpMid: candidate.sdpMid,
			sdpMLineIndex: candidate.sdpMLineIndex} : {completed: true};
		this.session.post(this.url, message).catch(() => {});
	}

	async detach() {
		this.session.handles.delete(this.id);
		try {
			await this.session.post(this.url, {janus: "detach", transaction: newTransaction()});
		} catch (_) { /* gone already */ }
	}

	deliver(event) {
		switch (event.janus) {
		case "event": {
			const data = event.plugindata && event.plugindata.data;
			if (data && this.onMessage) this.onMessage(data, event.jsep, event.transaction);
			break;
		}
		case "webrtcup": if (this.onWebRTCUp) this.onWebRTCUp(); break;
		case "hangup": if (this.onHangup) this.onHangup(event.reason); break;
		default: break;
		}
	}
}
