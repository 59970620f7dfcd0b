import { describe, expect, it } from "vitest";
import { prepareJsonSchema } from "../../../../src/protocols/gemini/convert-tools";

const prep = (schema: Record<string, unknown>) => prepareJsonSchema(schema, "tools[0].function.parameters");

describe("prepareJsonSchema", () => {
	it("drops the root $schema and inlines $defs references, keeping sibling keywords", () => {
		expect(
			prep({
				$schema: "http://json-schema.org/draft-07/schema#",
				type: "object",
				properties: {
					a: { $ref: "#/definitions/Thing", description: "A thing" },
					list: { type: "array", items: { $ref: "#/$defs/Item" } },
					either: { anyOf: [{ $ref: "#/$defs/Item" }, { type: "null" }] },
				},
				$defs: { Item: { type: "string", enum: ["x", "y"] } },
				definitions: { Thing: { type: "object", properties: { item: { $ref: "#/$defs/Item" } } } },
			}),
		).toEqual({
			type: "object",
			properties: {
				a: {
					type: "object",
					properties: { item: { type: "string", enum: ["x", "y"] } },
					description: "A thing",
				},
				list: { type: "array", items: { type: "string", enum: ["x", "y"] } },
				either: { anyOf: [{ type: "string", enum: ["x", "y"] }, { type: "null" }] },
			},
		});
	});

	it("inlines a root $ref", () => {
		expect(prep({ $ref: "#/$defs/Args", $defs: { Args: { type: "object", properties: {} } } })).toEqual({
			type: "object",
			properties: {},
		});
	});

	it("leaves recursive and foreign references as bare $refs with their defs", () => {
		const tree = { type: "object", properties: { child: { $ref: "#/$defs/Node", title: "kid" } } };
		expect(prep({ $ref: "#/$defs/Node", $defs: { Node: tree } })).toEqual({
			type: "object",
			properties: { child: { $ref: "#/$defs/Node" } },
			$defs: { Node: tree },
		});
		expect(
			prep({
				type: "object",
				properties: { x: { $ref: "https://example.com/x.json", default: 1 } },
			}),
		).toEqual({
			type: "object",
			properties: { x: { $ref: "https://example.com/x.json", default: 1 } },
		});
	});

	it("treats property names and data keywords as data", () => {
		const schema = {
			type: "object",
			properties: { $ref: { type: "string" } },
			default: { $ref: "#/$defs/Nope" },
			enum: [{ $ref: "x" }],
		};
		expect(prep(schema)).toEqual(schema);
	});
});

describe("schema depth", () => {
	it("refuses a schema nested deeper than 100 levels with a 400 naming the field, instead of overflowing the stack", () => {
		let deep: Record<string, unknown> = {};
		for (let i = 0; i < 5000; i++) deep = { not: deep };
		expect(() => prep(deep)).toThrow(
			expect.objectContaining({
				status: 400,
				param: "tools[0].function.parameters",
				code: "schema_too_deep",
				message: "The JSON Schema nests more than 100 levels deep.",
			}),
		);
		let fine: Record<string, unknown> = { type: "string" };
		for (let i = 0; i < 50; i++) fine = { type: "array", items: fine };
		expect(prep(fine)).toEqual(fine);
	});
});
