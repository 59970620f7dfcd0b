import type { SseEvent } from "../../protocols/adapter";

/**
 * Bytes → Server-Sent Events, following the WHATWG event-stream parsing rules: lines end in CRLF, LF
 * or CR; `data` lines of one event are joined with "\n"; comment lines (`:`) and unknown fields are
 * ignored; an event is dispatched at a blank line. Input may be split at any byte, even inside a
 * multi-byte character or between the CR and LF of one line break.
 *
 * A single line can be many megabytes (a base64 image), so an unfinished line is kept as a list of
 * pieces and joined once, when it ends: total work stays linear in the input.
 */
export function sseDecoder(): Transformer<Uint8Array, SseEvent> {
	const decoder = new TextDecoder("utf-8");
	const line = new LineBuffer();
	let skipLeadingLf = false;
	let data: string[] = [];
	let eventName: string | undefined;

	const onLine = (text: string, controller: TransformStreamDefaultController<SseEvent>) => {
		if (text === "") {
			if (data.length > 0) controller.enqueue({ event: eventName, data: data.join("\n") });
			data = [];
			eventName = undefined;
			return;
		}
		if (text.charCodeAt(0) === 58 /* ":" */) return;
		const colon = text.indexOf(":");
		const field = colon === -1 ? text : text.slice(0, colon);
		let value = colon === -1 ? "" : text.slice(colon + 1);
		if (value.charCodeAt(0) === 32 /* " " */) value = value.slice(1);
		if (field === "data") data.push(value);
		else if (field === "event") eventName = value;
	};

	const consume = (text: string, controller: TransformStreamDefaultController<SseEvent>) => {
		// An empty piece (or one holding only part of a character) must not forget a CR just read.
		if (text === "") return;
		let start = 0;
		if (skipLeadingLf && text.charCodeAt(0) === 10) start = 1;
		skipLeadingLf = false;
		for (let i = start; i < text.length; i++) {
			const code = text.charCodeAt(i);
			if (code !== 10 && code !== 13) continue;
			onLine(line.finish(text.slice(start, i)), controller);
			if (code === 13) {
				if (i + 1 < text.length) {
					if (text.charCodeAt(i + 1) === 10) i++;
				} else {
					skipLeadingLf = true;
				}
			}
			start = i + 1;
		}
		if (start < text.length) line.append(text.slice(start));
	};

	return {
		transform(bytes, controller) {
			consume(decoder.decode(bytes, { stream: true }), controller);
		},
		flush(controller) {
			const rest = decoder.decode();
			if (rest) consume(rest, controller);
			// Per the spec an event not terminated by a blank line is discarded at end of stream.
		},
	};
}

/** Pieces of an unfinished line; folded in two levels so a line built from a million tiny pieces costs O(n). */
class LineBuffer {
	private small: string[] = [];
	private large: string[] = [];

	append(piece: string): void {
		this.small.push(piece);
		if (this.small.length >= 256) {
			this.large.push(this.small.join(""));
			this.small = [];
		}
	}

	finish(tail: string): string {
		if (this.small.length === 0 && this.large.length === 0) return tail;
		this.small.push(tail);
		const whole = this.large.length === 0 ? this.small.join("") : this.large.join("") + this.small.join("");
		this.small = [];
		this.large = [];
		return whole;
	}
}
