//! Checks that template.yaml and the code agree: the table has the keys, indexes and TTL
//! attribute the DynamoDB adapter uses, and the event rules deliver every status that a
//! handler acts on. A change to one side without the other fails here.

use std::collections::BTreeSet;
use std::path::PathBuf;

use lockbox::adapters::dynamodb::keys;
use lockbox::app::notify::OUTCOMES;
use lockbox::domain::events::{StatusChanged, EVENT_SOURCE, STATUS_CHANGED};
use lockbox::domain::ids::RequestId;
use lockbox::domain::request::Status;
use lockbox_local::template::{attribute_types, Template, JIT_FUNCTION, NOTIFY_FUNCTION};

fn template() -> Template {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../template.yaml");
    Template::load(&path).expect("template.yaml loads")
}

fn key_schema(elements: &[lockbox_local::template::KeyElement]) -> Vec<(&str, &str)> {
    elements
        .iter()
        .map(|e| (e.attribute_name.as_str(), e.key_type.as_str()))
        .collect()
}

#[test]
fn table_keys_match_adapter() {
    let table = template().table;
    assert_eq!(
        key_schema(&table.key_schema),
        vec![(keys::PK, "HASH"), (keys::SK, "RANGE")]
    );
    assert_eq!(table.time_to_live_specification.attribute_name, keys::TTL);
    assert!(table.time_to_live_specification.enabled, "TTL is disabled");

    let types = attribute_types(&table);
    for name in [
        keys::PK,
        keys::SK,
        keys::GSI1_PK,
        keys::GSI1_SK,
        keys::GSI2_PK,
        keys::GSI2_SK,
        keys::GSI3_PK,
        keys::GSI3_SK,
        keys::DUE_PK,
    ] {
        assert_eq!(types.get(name), Some(&"S"), "attribute {name} is not a string key");
    }
    assert_eq!(types.get(keys::DUE_AT), Some(&"N"), "the due time is not a number key");
}

#[test]
fn indexes_match_adapter() {
    let table = template().table;
    let expected = [
        (keys::INDEX_BY_SUBSCRIPTION, keys::GSI1_PK, keys::GSI1_SK),
        (keys::INDEX_BY_OPERATION, keys::GSI2_PK, keys::GSI2_SK),
        (keys::INDEX_BY_MONTH, keys::GSI3_PK, keys::GSI3_SK),
        (keys::INDEX_BY_DUE, keys::DUE_PK, keys::DUE_AT),
    ];
    assert_eq!(
        table.global_secondary_indexes.len(),
        expected.len(),
        "the template has other indexes than the code uses"
    );
    for (name, partition, sort) in expected {
        let index = table
            .global_secondary_indexes
            .iter()
            .find(|index| index.index_name == name);
        let index = index.unwrap_or_else(|| panic!("index {name} is missing from template.yaml"));
        assert_eq!(
            key_schema(&index.key_schema),
            vec![(partition, "HASH"), (sort, "RANGE")],
            "index {name}"
        );
        assert_eq!(
            index.projection.projection_type, "ALL",
            "index {name} must project every attribute"
        );
    }
}

fn targets_of(template: &Template, status: Status) -> BTreeSet<String> {
    let event = StatusChanged {
        request_id: RequestId::new_random(),
        status,
        version: 1,
        at: chrono::Utc::now(),
    };
    let envelope = serde_json::json!({
        "source": EVENT_SOURCE,
        "detail-type": STATUS_CHANGED,
        "detail": serde_json::to_value(&event).unwrap(),
    });
    template.targets(&envelope).into_iter().map(str::to_owned).collect()
}

#[test]
fn rules_route_what_handlers_use() {
    let template = template();
    assert!(
        targets_of(&template, Status::Submitted).contains(JIT_FUNCTION),
        "submitted does not reach evaluate-jit"
    );
    assert!(
        targets_of(&template, Status::CustomerNotified).contains(NOTIFY_FUNCTION),
        "customer_notified does not reach notify"
    );
    for status in OUTCOMES {
        assert!(
            targets_of(&template, status).contains(NOTIFY_FUNCTION),
            "{status} does not reach notify"
        );
    }
    for status in [Status::PendingInternalApproval, Status::Cancelled] {
        assert!(
            targets_of(&template, status).is_empty(),
            "{status} reaches a function that ignores it"
        );
    }
}

/// Lists the sample bus events in `events/<folder>`, by file name.
fn sample_bus_events(folder: &str) -> Vec<(String, serde_json::Value)> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../events").join(folder);
    let mut events: Vec<_> = std::fs::read_dir(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
        .map(|entry| {
            let file = entry.unwrap().path();
            let text = std::fs::read_to_string(&file).unwrap();
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            (name, serde_json::from_str(&text).unwrap())
        })
        .collect();
    events.sort_by(|a, b| a.0.cmp(&b.0));
    events
}

#[test]
fn sample_events_match_rules() {
    let template = template();
    for (folder, function) in [("evaluate-jit", JIT_FUNCTION), ("notify", NOTIFY_FUNCTION)] {
        let events = sample_bus_events(folder);
        let mut statuses = BTreeSet::new();
        for (name, event) in &events {
            assert_eq!(
                template.targets(event),
                vec![function],
                "events/{folder}/{name} is not routed to {function} alone"
            );
            statuses.insert(event["detail"]["status"].as_str().unwrap().to_owned());
        }
        let routed: BTreeSet<String> = Status::ALL
            .into_iter()
            .filter(|status| targets_of(&template, *status).contains(function))
            .map(|status| status.as_str().to_owned())
            .collect();
        assert_eq!(
            statuses, routed,
            "events/{folder} needs one sample per status routed to {function}"
        );
    }
}
