import { describe, expect, it } from "vitest";
import { prepareJsonSchema } from "../../../../src/protocols/gemini/convert-tools";

describe("prepareJsonSchema", () => {
	it("drops the root $schema and inlines $defs references, keeping sibling keywords", () => {
		expect(
			prepareJsonSchema({
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
		expect(
			prepareJsonSchema({ $ref: "#/$defs/Args", $defs: { Args: { type: "object", properties: {} } } }),
		).toEqual({
			type: "object",
			properties: {},
		});
	});

	it("leaves recursive and foreign references as bare $refs with their defs", () => {
		const tree = { type: "object", properties: { child: { $ref: "#/$defs/Node", title: "kid" } } };
		expect(prepareJsonSchema({ $ref: "#/$defs/Node", $defs: { Node: tree } })).toEqual({
			type: "object",
			properties: { child: { $ref: "#/$defs/Node" } },
			$defs: { Node: tree },
		});
		expect(
			prepareJsonSchema({
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
		expect(prepareJsonSchema(schema)).toEqual(schema);
	});
});
