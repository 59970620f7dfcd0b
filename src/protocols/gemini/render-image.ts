/**
 * The markdown link appended to `content` for each generated image, so chat UIs that know nothing
 * of `message.images` still show the picture. It sits on a line of its own: a newline is put
 * before it unless the content so far is empty or already ends with one, and one after it so text
 * that follows starts on a fresh line.
 */
export function imageMarkdown(url: string, contentSoFar: string): string {
	const lead = contentSoFar === "" || contentSoFar.endsWith("\n") ? "" : "\n";
	return `${lead}![image](${url})\n`;
}

/** Only images are stored; Gemini could in principle return other inline data (audio). */
export function isImageMimeType(mimeType: string): boolean {
	return mimeType.toLowerCase().startsWith("image/");
}
