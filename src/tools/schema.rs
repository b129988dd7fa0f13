//! JSON Schemas of tool inputs and outputs, derived from Rust types with schemars so the schema an
//! agent sees cannot drift from the parser that reads its arguments.
//!
//! Input schemas are plain 2020-12 schemas with every subschema inlined (no `$ref`), in the subset
//! every model provider accepts (see `portable` below and the README's "Tool schemas"): a `type` on
//! every property, plain string `enum`s, no free-form objects, and every optional property
//! nullable, so a strict converter that makes all properties required (OpenAI strict mode,
//! pydantic-ai) still lets the model leave it out by passing `null` (the parser reads `null` as
//! absent). Output schemas wrap the documented data shape as `{ data: <shape> | null }`; every
//! shape allows extra properties, since the API adds fields.

use std::sync::Arc;

use schemars::generate::SchemaSettings;
use schemars::transform::RecursiveTransform;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{Value, json};

use super::JsonObject;

fn generator(nullable_options: bool) -> SchemaGenerator {
    let settings = SchemaSettings::draft2020_12().with(|s| {
        s.inline_subschemas = true;
        s.meta_schema = None;
    });
    let settings = settings.with_transform(RecursiveTransform(drop_rust_formats));
    if nullable_options {
        settings.into_generator()
    } else {
        settings
            .with_transform(RecursiveTransform(drop_null))
            .into_generator()
    }
}

/// schemars marks integers with Rust formats (`uint32`, `uint64`, `double`); they are not JSON
/// Schema formats and validators warn about them, so they are removed.
fn drop_rust_formats(schema: &mut Schema) {
    if let Some(object) = schema.as_object_mut() {
        let rust_format = object
            .get("format")
            .and_then(Value::as_str)
            .is_some_and(|f| {
                matches!(
                    f,
                    "int8"
                        | "int16"
                        | "int32"
                        | "int64"
                        | "uint"
                        | "uint8"
                        | "uint16"
                        | "uint32"
                        | "uint64"
                        | "float"
                        | "double"
                )
            });
        if rust_format {
            object.remove("format");
        }
    }
}

/// Inputs: schemars' own `null` variants are removed first (they come as `anyOf` wrappers that
/// some providers reject); [`nullable_optionals`] then adds `null` back in the one portable form.
fn drop_null(schema: &mut Schema) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    if let Some(Value::Array(types)) = object.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let only = types.remove(0);
            object.insert("type".into(), only);
        }
    }
    if let Some(Value::Array(values)) = object.get_mut("enum") {
        values.retain(|v| !v.is_null());
    }
    let single = match object.get("anyOf") {
        Some(Value::Array(variants)) if variants.len() == 2 => {
            let is_null = |v: &Value| v.get("type") == Some(&json!("null"));
            variants
                .iter()
                .find(|v| !is_null(v))
                .filter(|_| variants.iter().any(is_null))
                .cloned()
        }
        _ => None,
    };
    if let Some(Value::Object(inner)) = single {
        object.remove("anyOf");
        for (k, v) in inner {
            object.entry(k).or_insert(v);
        }
    }
}

fn to_object(value: Value) -> JsonObject {
    match value {
        Value::Object(mut map) => {
            map.remove("title");
            map.remove("description");
            map
        }
        // Every schema type used here derives to an object; an empty schema accepts anything.
        _ => JsonObject::new(),
    }
}

/// Every property an object schema does not require also accepts `null`: `"type": [T, "null"]`.
/// Strict converters make every property required, and this is how the model then says "not
/// given". An `enum` keeps only its strings: Gemini takes string values only (`null` in an enum
/// breaks its request), so a strict model picks one of the values instead.
fn nullable_optionals(object: &mut JsonObject) {
    let required: Vec<Value> = match object.get("required") {
        Some(Value::Array(names)) => names.clone(),
        _ => Vec::new(),
    };
    let Some(Value::Object(props)) = object.get_mut("properties") else {
        return;
    };
    for (name, prop) in props.iter_mut() {
        let Value::Object(prop) = prop else { continue };
        if let Some(Value::Object(items)) = prop.get_mut("items") {
            nullable_optionals(items);
        }
        nullable_optionals(prop);
        if required.iter().any(|r| r == name) {
            continue;
        }
        if let Some(Value::String(t)) = prop.get("type") {
            let t = t.clone();
            prop.insert("type".into(), json!([t, "null"]));
        }
    }
}

/// The `inputSchema` of a tool whose arguments are `T`.
pub fn input_schema<T: JsonSchema>() -> Arc<JsonObject> {
    let schema = generator(false).into_root_schema_for::<T>();
    let mut object = to_object(schema.to_value());
    object.entry("properties").or_insert_with(|| json!({}));
    nullable_optionals(&mut object);
    Arc::new(object)
}

/// The `outputSchema` of a tool whose `data` is documented by `T` (and may be `null`).
pub fn output_schema<T: JsonSchema>() -> Arc<JsonObject> {
    let shape = to_object(generator(true).into_root_schema_for::<T>().to_value());
    let value = json!({
        "type": "object",
        "properties": {
            "data": { "anyOf": [Value::Object(shape), { "type": "null" }] }
        },
        "required": ["data"],
    });
    Arc::new(to_object(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::{TOOLS, Tool, artifacts, jobs};

    fn walk(value: &Value, visit: &mut dyn FnMut(&JsonObject)) {
        match value {
            Value::Object(map) => {
                visit(map);
                map.values().for_each(|v| walk(v, visit));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, visit)),
            _ => {}
        }
    }

    #[test]
    fn schemas_are_plain_json_schema() {
        for def in TOOLS.iter().copied() {
            let input = Value::Object((**def.input_schema).clone());
            let output = Value::Object((**def.output_schema).clone());
            assert_eq!(input["type"], "object", "{}", def.name);
            assert_eq!(
                output["required"],
                serde_json::json!(["data"]),
                "{}",
                def.name
            );
            for schema in [&input, &output] {
                walk(schema, &mut |map| {
                    assert!(!map.contains_key("$ref"), "{}: $ref", def.name);
                    if let Some(f) = map.get("format").and_then(Value::as_str) {
                        panic!("{}: non-standard format {f}", def.name);
                    }
                });
            }
            // Inputs: `null` only as the second type of an optional property, never alone and
            // never as an `anyOf` variant.
            walk(&input, &mut |map| {
                assert_ne!(
                    map.get("type"),
                    Some(&serde_json::json!("null")),
                    "{}",
                    def.name
                );
                assert!(!map.contains_key("anyOf"), "{}: anyOf", def.name);
            });
        }
    }

    #[test]
    fn inputs_advertise_the_seed_names_not_the_aliases() {
        let props = |t: Tool| -> Vec<String> {
            t.input_schema["properties"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect()
        };
        assert!(props(&artifacts::GET_ARTIFACT).contains(&"artifact_id".to_string()));
        assert!(props(&jobs::GET_JOB).contains(&"job_id".to_string()));
        assert!(props(&jobs::SUBMIT_JOB).contains(&"workload_type".to_string()));
        for tool in TOOLS.iter().copied() {
            for alias in [
                "jobId",
                "artifactId",
                "workload",
                "environment",
                "optimize_for",
            ] {
                assert!(
                    !props(tool).contains(&alias.to_string()),
                    "{tool:?} advertises {alias}"
                );
            }
        }
        let required = &artifacts::GET_ARTIFACT.input_schema["required"];
        assert_eq!(required, &serde_json::json!(["job_id", "artifact_id"]));
    }
}
