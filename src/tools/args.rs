//! Reading tool arguments: the seed's names first, the older aliases after, one clear sentence per
//! problem (`job_id is required.`, `limit must be greater than 0.`). Runs before any API call.
//!
//! Rules (contract Part B 3.3, kept for compatibility): `null` means absent; strings are trimmed and
//! an empty string is absent; unknown keys are ignored.

use serde_json::{Map, Value};

use crate::api::types::{Command, InputRef, OptimizeFor, WorkloadType};
use crate::error::{Error, Result};

pub type JsonObject = Map<String, Value>;

/// The hosted refusal of `path`/`content`: says what to do instead, never to use a local file.
pub const LOCAL_ONLY: &str = "path and content are only available when the server runs locally \
over stdio. On this hosted server, call upload_job_input with filename (and content_type, kind) \
only: it returns upload_url and complete_url; PUT the bytes to upload_url, then POST complete_url.";

fn invalid(message: String) -> Error {
    Error::invalid_argument(message)
}

pub use crate::api::client::is_dot_segment;

/// A view over one call's arguments.
pub struct Args<'a> {
    map: &'a JsonObject,
}

impl<'a> Args<'a> {
    pub fn new(map: &'a JsonObject) -> Self {
        Args { map }
    }

    /// The value under `key`, or under the first alias present; `null` counts as absent.
    /// Returns the name actually used so messages can name it.
    fn lookup(
        &self,
        key: &'static str,
        aliases: &[&'static str],
    ) -> Option<(&'static str, &'a Value)> {
        std::iter::once(key)
            .chain(aliases.iter().copied())
            .find_map(|k| match self.map.get(k) {
                None | Some(Value::Null) => None,
                Some(v) => Some((k, v)),
            })
    }

    /// The raw value under `key` (not trimmed); `null` is absent.
    pub fn lookup_raw(&self, key: &'static str) -> Option<&'a Value> {
        self.lookup(key, &[]).map(|(_, v)| v)
    }

    /// An optional trimmed string; empty means absent.
    pub fn string(&self, key: &'static str, aliases: &[&'static str]) -> Result<Option<String>> {
        match self.lookup(key, aliases) {
            None => Ok(None),
            Some((_, Value::String(s))) => {
                let s = s.trim();
                Ok((!s.is_empty()).then(|| s.to_string()))
            }
            Some((name, _)) => Err(invalid(format!("{name} must be a string."))),
        }
    }

    /// A required trimmed string; missing or blank names the canonical key.
    pub fn required_string(&self, key: &'static str, aliases: &[&'static str]) -> Result<String> {
        self.string(key, aliases)?
            .ok_or_else(|| invalid(format!("{key} is required.")))
    }

    /// A required resource id (job, artifact). Any character is allowed (it is percent-encoded in
    /// the URL) except the dot segments `.` and `..`, which no URL can carry literally.
    pub fn required_id(&self, key: &'static str, aliases: &[&'static str]) -> Result<String> {
        let id = self.required_string(key, aliases)?;
        if is_dot_segment(&id) {
            return Err(invalid(format!("{key} is not a valid id.")));
        }
        Ok(id)
    }

    /// A finite number. Numeric strings (`"7"`) are accepted: agents often quote numbers.
    pub fn number(&self, key: &'static str, aliases: &[&'static str]) -> Result<Option<f64>> {
        let Some((name, value)) = self.lookup(key, aliases) else {
            return Ok(None);
        };
        let n = match value {
            Value::Number(n) => n.as_f64(),
            Value::String(s) if !s.trim().is_empty() => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        match n {
            Some(n) if n.is_finite() => Ok(Some(n)),
            _ => Err(invalid(format!("{name} must be a finite number."))),
        }
    }

    /// A finite number kept exactly as given (`7` stays `7`, not `7.0`); numeric strings accepted.
    pub fn number_as_given(
        &self,
        key: &'static str,
        aliases: &[&'static str],
    ) -> Result<Option<serde_json::Number>> {
        let Some((name, value)) = self.lookup(key, aliases) else {
            return Ok(None);
        };
        let number = match value {
            Value::Number(n) => Some(n.clone()),
            Value::String(s) => s.trim().parse::<serde_json::Number>().ok(),
            _ => None,
        };
        match number {
            Some(n) if n.as_f64().is_some_and(f64::is_finite) => Ok(Some(n)),
            _ => Err(invalid(format!("{name} must be a finite number."))),
        }
    }

    /// A page size: positive, floored, clamped to `max`, `default` when absent.
    pub fn limit(&self, key: &'static str, default: u32, max: u32) -> Result<u32> {
        match self.number(key, &[])? {
            None => Ok(default),
            Some(n) if n <= 0.0 => Err(invalid(format!("{key} must be greater than 0."))),
            Some(n) => Ok((n.floor() as u64).clamp(1, u64::from(max)) as u32),
        }
    }

    /// A boolean; absent means `false`.
    pub fn flag(&self, key: &'static str) -> Result<bool> {
        match self.lookup(key, &[]) {
            None => Ok(false),
            Some((_, Value::Bool(b))) => Ok(*b),
            Some((name, _)) => Err(invalid(format!("{name} must be true or false."))),
        }
    }

    /// An absolute local path (the server's working directory is the host's business, so relative
    /// paths would land somewhere surprising).
    pub fn absolute_path(&self, key: &'static str) -> Result<Option<std::path::PathBuf>> {
        let Some(raw) = self.string(key, &[])? else {
            return Ok(None);
        };
        let path = std::path::PathBuf::from(&raw);
        if !path.is_absolute() {
            return Err(invalid(format!(
                "{key} must be an absolute path, got \"{raw}\"."
            )));
        }
        Ok(Some(path))
    }

    /// A pagination cursor: a string, or a number the API handed out (`next_cursor: 2`).
    pub fn cursor(&self, key: &'static str) -> Result<Option<String>> {
        match self.lookup(key, &[]) {
            Some((_, Value::Number(n))) => Ok(Some(n.to_string())),
            _ => self.string(key, &[]),
        }
    }

    /// One of a fixed set of values, compared after trimming and ignoring case.
    pub fn one_of<T: Copy>(
        &self,
        key: &'static str,
        aliases: &[&'static str],
        choices: &[(&str, T)],
        advertised: &str,
    ) -> Result<Option<T>> {
        let Some((name, value)) = self.lookup(key, aliases) else {
            return Ok(None);
        };
        let Value::String(s) = value else {
            return Err(invalid(format!("{name} must be one of: {advertised}.")));
        };
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        choices
            .iter()
            .find(|(label, _)| label.eq_ignore_ascii_case(s))
            .map(|(_, v)| Some(*v))
            .ok_or_else(|| invalid(format!("{name} must be one of: {advertised}.")))
    }

    /// `workload_type` (or the legacy `workload`); `fine_tuning` and `fine-tuning` both accepted.
    pub fn workload_type(&self) -> Result<WorkloadType> {
        const CHOICES: &[(&str, WorkloadType)] = &[
            ("inference", WorkloadType::Inference),
            ("training", WorkloadType::Training),
            ("fine_tuning", WorkloadType::FineTuning),
            ("fine-tuning", WorkloadType::FineTuning),
            ("finetuning", WorkloadType::FineTuning),
            ("batch", WorkloadType::Batch),
        ];
        self.one_of(
            "workload_type",
            &["workload"],
            CHOICES,
            "inference, training, fine_tuning, batch",
        )?
        .ok_or_else(|| invalid("workload_type is required.".into()))
    }

    /// `routing_mode` (or the V0 name `optimize_for`).
    pub fn routing_mode(&self) -> Result<Option<OptimizeFor>> {
        const CHOICES: &[(&str, OptimizeFor)] = &[
            ("cost", OptimizeFor::Cost),
            ("speed", OptimizeFor::Speed),
            ("balanced", OptimizeFor::Balanced),
        ];
        self.one_of(
            "routing_mode",
            &["optimize_for"],
            CHOICES,
            "cost, speed, balanced",
        )
    }

    /// An array of strings; items are kept as given (not trimmed).
    pub fn string_array(
        &self,
        key: &'static str,
        aliases: &[&'static str],
    ) -> Result<Option<Vec<String>>> {
        let Some((name, value)) = self.lookup(key, aliases) else {
            return Ok(None);
        };
        let Value::Array(items) = value else {
            return Err(invalid(format!("{name} must be an array of strings.")));
        };
        items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(s.clone()),
                _ => Err(invalid(format!("{name} must contain only strings."))),
            })
            .collect::<Result<Vec<_>>>()
            .map(Some)
    }

    /// `command`: an argv array (preferred) or a single string.
    pub fn command(&self) -> Result<Option<Command>> {
        match self.lookup("command", &[]) {
            None => Ok(None),
            Some((_, Value::String(_))) => Ok(self.string("command", &[])?.map(Command::Line)),
            Some((_, Value::Array(_))) => {
                let argv = self.string_array("command", &[])?.unwrap_or_default();
                Ok((!argv.is_empty()).then_some(Command::Argv(argv)))
            }
            Some(_) => Err(invalid(
                "command must be an array of strings (or a single string).".into(),
            )),
        }
    }

    /// A JSON object passed through as is.
    /// An object of free-form values (job metadata): `{ "team": "ml" }`, or the list form strict
    /// model providers can express, `[{ "name": "team", "value": "ml" }]`.
    pub fn object(
        &self,
        key: &'static str,
        aliases: &[&'static str],
    ) -> Result<Option<JsonObject>> {
        match self.lookup(key, aliases) {
            None => Ok(None),
            Some((_, Value::Object(map))) => Ok(Some(map.clone())),
            Some((name, Value::Array(items))) => pairs(name, items, false).map(Some),
            Some((name, _)) => Err(invalid(format!(
                "{name} must be an object or a list of {{ name, value }} objects."
            ))),
        }
    }

    /// An object whose values are all strings (environment variables): `{ "A": "1" }`, or the
    /// list form strict model providers can express, `[{ "name": "A", "value": "1" }]`.
    pub fn string_map(
        &self,
        key: &'static str,
        aliases: &[&'static str],
    ) -> Result<Option<JsonObject>> {
        let Some((name, value)) = self.lookup(key, aliases) else {
            return Ok(None);
        };
        let map = match value {
            Value::Object(map) => map.clone(),
            Value::Array(items) => pairs(name, items, true)?,
            _ => {
                return Err(invalid(format!(
                    "{name} must be an object with string values or a list of {{ name, value }} \
objects."
                )));
            }
        };
        if let Some((k, _)) = map.iter().find(|(_, v)| !v.is_string()) {
            return Err(invalid(format!("{name}.{k} must be a string.")));
        }
        Ok(Some(map))
    }

    /// `[{ "input_id": "inp_..." }]`, bare id strings accepted; other keys in an item dropped.
    pub fn input_refs(&self, key: &'static str) -> Result<Option<Vec<InputRef>>> {
        let Some((name, value)) = self.lookup(key, &[]) else {
            return Ok(None);
        };
        let shape = || {
            invalid(format!(
                "{name} must be an array of {{ input_id }} objects."
            ))
        };
        let Value::Array(items) = value else {
            return Err(shape());
        };
        items
            .iter()
            .map(|item| {
                let id = match item {
                    Value::String(s) => Some(s.as_str()),
                    Value::Object(obj) => match obj.get("input_id") {
                        None | Some(Value::Null) => None,
                        Some(Value::String(s)) => Some(s.as_str()),
                        Some(_) => {
                            return Err(invalid(format!("{name}[].input_id must be a string.")));
                        }
                    },
                    _ => return Err(shape()),
                };
                match id.map(str::trim).filter(|s| !s.is_empty()) {
                    Some(id) => Ok(InputRef {
                        input_id: id.to_string(),
                    }),
                    None => Err(invalid(format!("{name} items must include input_id."))),
                }
            })
            .collect::<Result<Vec<_>>>()
            .map(Some)
    }
}

/// `[{ "name": "A", "value": "1" }, ...]` as `{ "A": "1", ... }`: the name/value list form of a
/// map, which every model provider's strict mode can express (a map with free keys cannot be).
/// A name given twice is refused rather than silently overwritten.
fn pairs(name: &str, items: &[Value], strings: bool) -> Result<JsonObject> {
    let mut map = JsonObject::new();
    for (i, item) in items.iter().enumerate() {
        let Value::Object(pair) = item else {
            return Err(invalid(format!(
                "{name}[{i}] must be a {{ name, value }} object."
            )));
        };
        let key = match pair.get("name") {
            Some(Value::String(k)) if !k.trim().is_empty() => k.trim().to_string(),
            _ => {
                return Err(invalid(format!(
                    "{name}[{i}].name must be a non-empty string."
                )));
            }
        };
        let value = match pair.get("value") {
            None | Some(Value::Null) if strings => {
                return Err(invalid(format!("{name}[{i}].value must be a string.")));
            }
            None => Value::Null,
            Some(v) => v.clone(),
        };
        if strings && !value.is_string() {
            return Err(invalid(format!("{name}[{i}].value must be a string.")));
        }
        if map.insert(key.clone(), value).is_some() {
            return Err(invalid(format!("{name} names {key} twice.")));
        }
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> JsonObject {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn strings_are_trimmed_and_blank_is_absent() {
        let m = obj(json!({"a": "  x ", "b": "   ", "c": null, "d": 5}));
        let a = Args::new(&m);
        assert_eq!(a.string("a", &[]).unwrap().as_deref(), Some("x"));
        assert_eq!(a.string("b", &[]).unwrap(), None);
        assert_eq!(a.string("c", &[]).unwrap(), None);
        assert_eq!(
            a.string("d", &[]).unwrap_err().message,
            "d must be a string."
        );
        assert_eq!(
            a.required_string("b", &[]).unwrap_err().message,
            "b is required."
        );
    }

    #[test]
    fn aliases_are_read_and_errors_name_the_key_used() {
        let m = obj(json!({"jobId": " job_1 "}));
        assert_eq!(
            Args::new(&m).required_string("job_id", &["jobId"]).unwrap(),
            "job_1"
        );
        let m = obj(json!({"jobId": 42}));
        assert_eq!(
            Args::new(&m)
                .required_string("job_id", &["jobId"])
                .unwrap_err()
                .message,
            "jobId must be a string."
        );
        let m = obj(json!({}));
        assert_eq!(
            Args::new(&m)
                .required_string("job_id", &["jobId"])
                .unwrap_err()
                .message,
            "job_id is required."
        );
        // The canonical name wins when both are present.
        let m = obj(json!({"job_id": "a", "jobId": "b"}));
        assert_eq!(
            Args::new(&m).required_string("job_id", &["jobId"]).unwrap(),
            "a"
        );
    }

    #[test]
    fn dot_segment_ids_are_rejected() {
        for bad in [".", ".."] {
            let m = obj(json!({ "job_id": bad }));
            assert_eq!(
                Args::new(&m)
                    .required_id("job_id", &["jobId"])
                    .unwrap_err()
                    .message,
                "job_id is not a valid id."
            );
        }
        let m = obj(json!({"job_id": "../x"}));
        assert_eq!(Args::new(&m).required_id("job_id", &[]).unwrap(), "../x");
    }

    #[test]
    fn limits_are_checked_floored_and_clamped() {
        let read = |v: Value| Args::new(&obj(json!({ "limit": v }))).limit("limit", 100, 1000);
        assert_eq!(read(json!(5000)).unwrap(), 1000);
        assert_eq!(read(json!(5.9)).unwrap(), 5);
        assert_eq!(read(json!(0.5)).unwrap(), 1);
        assert_eq!(read(json!("25")).unwrap(), 25);
        assert_eq!(read(json!(null)).unwrap(), 100);
        assert_eq!(
            read(json!(0)).unwrap_err().message,
            "limit must be greater than 0."
        );
        assert_eq!(
            read(json!(-3)).unwrap_err().message,
            "limit must be greater than 0."
        );
        assert_eq!(
            read(json!("ten")).unwrap_err().message,
            "limit must be a finite number."
        );
        assert_eq!(
            read(json!(true)).unwrap_err().message,
            "limit must be a finite number."
        );
    }

    #[test]
    fn workload_type_rules() {
        let read = |v: Value| Args::new(&obj(v)).workload_type();
        assert_eq!(
            read(json!({"workload_type": "fine_tuning"})).unwrap(),
            WorkloadType::FineTuning
        );
        assert_eq!(
            read(json!({"workload_type": "fine-tuning"})).unwrap(),
            WorkloadType::FineTuning
        );
        assert_eq!(
            read(json!({"workload": " Batch "})).unwrap(),
            WorkloadType::Batch
        );
        assert_eq!(
            read(json!({})).unwrap_err().message,
            "workload_type is required."
        );
        assert_eq!(
            read(json!({"workload_type": "gaming"}))
                .unwrap_err()
                .message,
            "workload_type must be one of: inference, training, fine_tuning, batch."
        );
        assert_eq!(
            read(json!({"workload": "gaming"})).unwrap_err().message,
            "workload must be one of: inference, training, fine_tuning, batch."
        );
    }

    #[test]
    fn command_accepts_array_or_string() {
        let read = |v: Value| Args::new(&obj(json!({ "command": v }))).command();
        assert_eq!(
            read(json!(["python", " train.py"])).unwrap(),
            Some(Command::Argv(vec!["python".into(), " train.py".into()]))
        );
        assert_eq!(
            read(json!(" python train.py ")).unwrap(),
            Some(Command::Line("python train.py".into()))
        );
        assert_eq!(read(json!([])).unwrap(), None);
        assert_eq!(
            read(json!([1])).unwrap_err().message,
            "command must contain only strings."
        );
        assert!(
            read(json!({"a": 1}))
                .unwrap_err()
                .message
                .starts_with("command must be an array of strings")
        );
    }

    #[test]
    fn env_values_must_be_strings() {
        let m = obj(json!({"env": {"A": "1", "B": 2}}));
        assert_eq!(
            Args::new(&m)
                .string_map("env", &["environment"])
                .unwrap_err()
                .message,
            "env.B must be a string."
        );
        let m = obj(json!({"env": "A=1"}));
        assert_eq!(
            Args::new(&m)
                .string_map("env", &["environment"])
                .unwrap_err()
                .message,
            "env must be an object with string values or a list of { name, value } objects."
        );
    }

    #[test]
    fn maps_accept_the_name_value_list_form() {
        let read = |v: Value| Args::new(&obj(json!({ "env": v }))).string_map("env", &[]);
        assert_eq!(
            read(json!([{"name": " A ", "value": "1"}, {"name": "B", "value": ""}])).unwrap(),
            Some(obj(json!({"A": "1", "B": ""})))
        );
        assert_eq!(read(json!([])).unwrap(), Some(JsonObject::new()));
        for (bad, message) in [
            (json!(["A=1"]), "env[0] must be a { name, value } object."),
            (
                json!([{"value": "1"}]),
                "env[0].name must be a non-empty string.",
            ),
            (json!([{"name": "A"}]), "env[0].value must be a string."),
            (
                json!([{"name": "A", "value": 1}]),
                "env[0].value must be a string.",
            ),
            (
                json!([{"name": "A", "value": "1"}, {"name": "A", "value": "2"}]),
                "env names A twice.",
            ),
        ] {
            assert_eq!(read(bad).unwrap_err().message, message);
        }
        let meta = |v: Value| Args::new(&obj(json!({ "metadata": v }))).object("metadata", &[]);
        assert_eq!(
            meta(json!([{"name": "team", "value": "ml"}, {"name": "n", "value": 2}])).unwrap(),
            Some(obj(json!({"team": "ml", "n": 2})))
        );
        assert_eq!(
            meta(json!({"team": {"a": 1}})).unwrap(),
            Some(obj(json!({"team": {"a": 1}})))
        );
        assert_eq!(
            meta(json!("team=ml")).unwrap_err().message,
            "metadata must be an object or a list of { name, value } objects."
        );
    }

    #[test]
    fn input_refs_accept_objects_and_strings() {
        let m = obj(json!({"input_files": [{"input_id": " inp_a ", "extra": 1}, "inp_b"]}));
        assert_eq!(
            Args::new(&m).input_refs("input_files").unwrap().unwrap(),
            vec![
                InputRef {
                    input_id: "inp_a".into()
                },
                InputRef {
                    input_id: "inp_b".into()
                }
            ]
        );
        let m = obj(json!({"input_files": [{}]}));
        assert_eq!(
            Args::new(&m).input_refs("input_files").unwrap_err().message,
            "input_files items must include input_id."
        );
        let m = obj(json!({"script_files": "inp_x"}));
        assert_eq!(
            Args::new(&m)
                .input_refs("script_files")
                .unwrap_err()
                .message,
            "script_files must be an array of { input_id } objects."
        );
        let m = obj(json!({"input_files": [7]}));
        assert_eq!(
            Args::new(&m).input_refs("input_files").unwrap_err().message,
            "input_files must be an array of { input_id } objects."
        );
    }

    #[test]
    fn cursor_accepts_numbers() {
        let m = obj(json!({"cursor": 2}));
        assert_eq!(
            Args::new(&m).cursor("cursor").unwrap().as_deref(),
            Some("2")
        );
        let m = obj(json!({"cursor": " abc "}));
        assert_eq!(
            Args::new(&m).cursor("cursor").unwrap().as_deref(),
            Some("abc")
        );
        let m = obj(json!({"cursor": [1]}));
        assert_eq!(
            Args::new(&m).cursor("cursor").unwrap_err().message,
            "cursor must be a string."
        );
    }
}
