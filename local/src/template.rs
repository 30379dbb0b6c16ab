//! Reads from `template.yaml` what the local runner needs, so that local runs use the table and
//! the event routing that a deployment gets. Those are the table's keys, indexes and TTL
//! attribute, the EventBridge rules of each function, and the expiry schedule's rate.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use serde::Deserialize;
use serde_json::Value as Json;
use serde_yaml::Value;

/// Logical id of the table in the template.
pub const TABLE_RESOURCE: &str = "LockboxTable";
/// Logical ids of the functions whose events the local runner routes.
pub const JIT_FUNCTION: &str = "EvaluateJitFunction";
pub const NOTIFY_FUNCTION: &str = "NotifyFunction";
pub const EXPIRE_FUNCTION: &str = "ExpireFunction";

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeDefinition {
    pub attribute_name: String,
    pub attribute_type: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyElement {
    pub attribute_name: String,
    pub key_type: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Projection {
    pub projection_type: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GlobalSecondaryIndex {
    pub index_name: String,
    pub key_schema: Vec<KeyElement>,
    pub projection: Projection,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TimeToLive {
    pub attribute_name: String,
    pub enabled: bool,
}

/// The parts of the table's `Properties` that shape its data.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TableDefinition {
    pub attribute_definitions: Vec<AttributeDefinition>,
    pub key_schema: Vec<KeyElement>,
    #[serde(default)]
    pub global_secondary_indexes: Vec<GlobalSecondaryIndex>,
    pub time_to_live_specification: TimeToLive,
}

/// One EventBridge rule: the function it invokes and its event pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRule {
    pub function: String,
    pub pattern: Json,
}

/// The parts of the template that the local runner uses.
#[derive(Debug, Clone)]
pub struct Template {
    pub table: TableDefinition,
    pub rules: Vec<EventRule>,
    /// The expiry schedule's rate, from its `rate(...)` expression.
    pub expiry_rate: Duration,
    /// The environment variables that `Globals` gives every function as plain strings. Those
    /// set by intrinsic functions, such as the table's name, are left out.
    pub global_environment: BTreeMap<String, String>,
}

impl Template {
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("{} does not describe the lockbox as expected", path.display()))
    }

    pub fn parse(text: &str) -> Result<Self> {
        let document: Value = serde_yaml::from_str(text).context("invalid YAML")?;
        let resources = document
            .get("Resources")
            .ok_or_else(|| anyhow!("no Resources section"))?;

        let table_properties = resources
            .get(TABLE_RESOURCE)
            .and_then(|table| table.get("Properties"))
            .ok_or_else(|| anyhow!("no {TABLE_RESOURCE} with Properties"))?;
        let table: TableDefinition = serde_yaml::from_value(table_properties.clone()).with_context(|| {
            format!("{TABLE_RESOURCE} Properties must spell out keys, indexes and TTL without intrinsic functions")
        })?;

        let mut rules = Vec::new();
        let mut expiry_rate = None;
        let Value::Mapping(resources) = resources else {
            bail!("Resources is not a mapping")
        };
        for (name, resource) in resources {
            let Some(name) = name.as_str() else { continue };
            let Some(Value::Mapping(events)) = resource.get("Properties").and_then(|p| p.get("Events")) else {
                continue;
            };
            for event in events.values() {
                let kind = event.get("Type").and_then(Value::as_str).unwrap_or_default();
                let properties = event.get("Properties");
                match kind {
                    "EventBridgeRule" | "CloudWatchEvent" => {
                        let pattern = properties
                            .and_then(|p| p.get("Pattern"))
                            .ok_or_else(|| anyhow!("{name}: {kind} event without Pattern"))?;
                        let pattern: Json = serde_yaml::from_value(pattern.clone())
                            .with_context(|| format!("{name}: the event Pattern must be plain YAML"))?;
                        rules.push(EventRule {
                            function: name.to_owned(),
                            pattern,
                        });
                    }
                    "Schedule" | "ScheduleV2" if name == EXPIRE_FUNCTION => {
                        let expression = properties
                            .and_then(|p| p.get("ScheduleExpression").or_else(|| p.get("Schedule")))
                            .ok_or_else(|| anyhow!("{name}: schedule without an expression"))?;
                        let expression = resolve(&document, expression)?;
                        expiry_rate = Some(parse_rate(&expression)?);
                    }
                    _ => {}
                }
            }
        }
        let expiry_rate = expiry_rate.ok_or_else(|| anyhow!("{EXPIRE_FUNCTION} has no schedule"))?;

        let mut global_environment = BTreeMap::new();
        let variables = document
            .get("Globals")
            .and_then(|globals| globals.get("Function"))
            .and_then(|function| function.get("Environment"))
            .and_then(|environment| environment.get("Variables"));
        if let Some(Value::Mapping(variables)) = variables {
            for (name, value) in variables {
                // A value such as `!Ref RequestExpiry` is tagged, not a string.
                if let (Some(name), Value::String(value)) = (name.as_str(), value) {
                    global_environment.insert(name.to_owned(), value.clone());
                }
            }
        }
        Ok(Self {
            table,
            rules,
            expiry_rate,
            global_environment,
        })
    }

    /// Lists the functions whose rules match `event`, an EventBridge event as JSON.
    pub fn targets(&self, event: &Json) -> Vec<&str> {
        self.rules
            .iter()
            .filter(|rule| pattern_matches(&rule.pattern, event))
            .map(|rule| rule.function.as_str())
            .collect()
    }
}

/// Resolves a plain string or a `!Ref` to a parameter's default.
fn resolve(document: &Value, value: &Value) -> Result<String> {
    match value {
        Value::String(text) => Ok(text.clone()),
        Value::Tagged(tagged) if tagged.tag == "Ref" => {
            let parameter = tagged.value.as_str().ok_or_else(|| anyhow!("!Ref without a name"))?;
            document
                .get("Parameters")
                .and_then(|p| p.get(parameter))
                .and_then(|p| p.get("Default"))
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| anyhow!("parameter {parameter} has no default"))
        }
        other => bail!("cannot resolve {other:?} locally"),
    }
}

/// Parses an EventBridge `rate(N unit)` expression.
pub fn parse_rate(expression: &str) -> Result<Duration> {
    let inner = expression
        .trim()
        .strip_prefix("rate(")
        .and_then(|rest| rest.strip_suffix(')'))
        .ok_or_else(|| anyhow!("`{expression}` is not a rate(...) expression"))?;
    let (count, unit) = inner
        .trim()
        .split_once(' ')
        .ok_or_else(|| anyhow!("`{expression}` has no unit"))?;
    let count: u64 = count
        .parse()
        .with_context(|| format!("`{expression}` has no whole number"))?;
    let seconds = match unit.trim() {
        "minute" | "minutes" => 60,
        "hour" | "hours" => 3600,
        "day" | "days" => 86_400,
        other => bail!("`{expression}` has unknown unit {other}"),
    };
    Ok(Duration::from_secs(count * seconds))
}

/// Matches the subset of EventBridge patterns the template uses: each key's value is a list of
/// allowed exact values, or a nested pattern for an object.
pub fn pattern_matches(pattern: &Json, event: &Json) -> bool {
    let Json::Object(fields) = pattern else { return false };
    fields.iter().all(|(key, expected)| {
        let actual = event.get(key);
        match expected {
            Json::Array(allowed) => actual.is_some_and(|actual| allowed.contains(actual)),
            Json::Object(_) => actual.is_some_and(|actual| pattern_matches(expected, actual)),
            _ => false,
        }
    })
}

/// Returns the table's attribute definitions as a map from name to type.
pub fn attribute_types(table: &TableDefinition) -> BTreeMap<&str, &str> {
    table
        .attribute_definitions
        .iter()
        .map(|a| (a.attribute_name.as_str(), a.attribute_type.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_parses_units() {
        assert_eq!(parse_rate("rate(1 minute)").unwrap(), Duration::from_secs(60));
        assert_eq!(parse_rate("rate(5 minutes)").unwrap(), Duration::from_secs(300));
        assert!(parse_rate("cron(0 * * * ? *)").is_err());
    }

    #[test]
    fn pattern_matches_exact_values() {
        let pattern = serde_json::json!({"source": ["lockbox"], "detail": {"status": ["submitted"]}});
        assert!(pattern_matches(
            &pattern,
            &serde_json::json!({"source": "lockbox", "detail": {"status": "submitted", "x": 1}})
        ));
        assert!(!pattern_matches(
            &pattern,
            &serde_json::json!({"source": "lockbox", "detail": {"status": "approved"}})
        ));
        assert!(!pattern_matches(
            &pattern,
            &serde_json::json!({"source": "other", "detail": {"status": "submitted"}})
        ));
    }
}
