//! Durations read from configuration and the fixed-width timestamp format used in sort keys.

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};

use super::ids::InvalidField;

/// The maximum duration a setting accepts: ten years. It is far beyond any sensible wait or
/// retention, and small enough that adding it to any current time cannot overflow.
pub const MAX_DURATION: TimeDelta = TimeDelta::days(3650);

/// Parses a duration such as `96h`, `8h`, `30s` or `1h 30m` into a positive `TimeDelta` of
/// whole seconds, at most [`MAX_DURATION`].
pub fn parse_duration(field: &'static str, raw: &str) -> Result<TimeDelta, InvalidField> {
    let std = humantime::parse_duration(raw.trim()).map_err(|error| {
        InvalidField::new(
            field,
            format!("`{raw}` is not a duration like 96h, 8h or 30s ({error})"),
        )
    })?;
    let delta = TimeDelta::from_std(std).map_err(|_| InvalidField::new(field, format!("`{raw}` is too long")))?;
    if delta <= TimeDelta::zero() {
        return Err(InvalidField::new(field, format!("`{raw}` must be longer than zero")));
    }
    if delta.subsec_nanos() != 0 {
        return Err(InvalidField::new(
            field,
            format!("`{raw}` must be a whole number of seconds"),
        ));
    }
    if delta > MAX_DURATION {
        return Err(InvalidField::new(
            field,
            format!("`{raw}` is longer than the maximum of 87600h (ten years)"),
        ));
    }
    Ok(delta)
}

/// Formats `at` as RFC 3339 in UTC with microseconds, so that strings sort as times do.
pub fn sortable(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duration_accepts_hours_and_seconds() {
        assert_eq!(parse_duration("x", "96h").unwrap(), TimeDelta::hours(96));
        assert_eq!(parse_duration("x", "8h").unwrap(), TimeDelta::hours(8));
        assert_eq!(parse_duration("x", "30s").unwrap(), TimeDelta::seconds(30));
    }

    #[test]
    fn duration_rejects_garbage_and_zero() {
        assert!(parse_duration("x", "eight hours").is_err());
        assert!(parse_duration("x", "0s").is_err());
        assert!(parse_duration("x", "").is_err());
        assert!(parse_duration("x", "500ms").is_err());
        assert!(parse_duration("x", "10000000000h").is_err());
        assert!(parse_duration("x", "87600h").is_ok());
    }

    #[test]
    fn sortable_has_fixed_width() {
        let a = DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z")
            .unwrap()
            .with_timezone(&Utc);
        let b = a + TimeDelta::microseconds(1);
        assert_eq!(sortable(a), "2026-01-02T03:04:05.000000Z");
        assert!(sortable(a) < sortable(b));
    }
}
