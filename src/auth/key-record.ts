/** What the gateway needs to know about a key at request time; cached in memory and in KV. */
export interface KeyRecord {
	id: string;
	name: string;
	/** Model ids the key may use; null means every enabled model. */
	models: string[] | null;
}
