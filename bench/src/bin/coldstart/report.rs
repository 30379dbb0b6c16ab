//! Summaries of the measured runs and the Markdown table that `coldstart` prints.

use std::fmt::Write as _;
use std::time::Duration;

/// The size that each release binary must stay under.
pub const SIZE_BUDGET_BYTES: u64 = 6 * 1024 * 1024;

const MIB: f64 = 1024.0 * 1024.0;

/// The timed runs of one binary.
#[derive(Debug)]
pub struct Measurements {
    pub name: String,
    pub size_bytes: u64,
    /// `None` when the file is not a 64-bit little-endian ELF file.
    pub has_symbol_table: Option<bool>,
    pub init: Vec<Duration>,
    pub first_invocation: Vec<Duration>,
    pub responses: usize,
    pub errors: usize,
    /// The error document of the last run whose invocation failed.
    pub last_error: Option<String>,
}

/// Minimum, median and 90th percentile of a sample, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub min: f64,
    pub median: f64,
    pub p90: f64,
}

impl Summary {
    /// Summarizes `samples`, which must not be empty. The median of an even count is the mean
    /// of the two middle values, and p90 is the nearest-rank 90th percentile.
    pub fn of(samples: &[Duration]) -> Self {
        assert!(!samples.is_empty(), "cannot summarize an empty sample");
        let mut ms: Vec<f64> = samples.iter().map(|sample| sample.as_secs_f64() * 1000.0).collect();
        ms.sort_by(f64::total_cmp);

        let n = ms.len();
        let median = if n % 2 == 1 {
            ms[n / 2]
        } else {
            (ms[n / 2 - 1] + ms[n / 2]) / 2.0
        };
        let p90_rank = (n * 9).div_ceil(10);
        Self {
            min: ms[0],
            median,
            p90: ms[p90_rank - 1],
        }
    }
}

/// Reports whether an ELF file has a symbol table section (`SHT_SYMTAB`), which `strip`
/// removes. Returns `None` when `bytes` is not a 64-bit little-endian ELF file.
pub fn has_symbol_table(bytes: &[u8]) -> Option<bool> {
    const SHT_SYMTAB: u32 = 2;
    if bytes.get(..6)? != b"\x7fELF\x02\x01" {
        return None;
    }
    let u16_at = |offset: usize| Some(u16::from_le_bytes(bytes.get(offset..offset + 2)?.try_into().ok()?));
    let u32_at = |offset: usize| Some(u32::from_le_bytes(bytes.get(offset..offset + 4)?.try_into().ok()?));
    let u64_at = |offset: usize| Some(u64::from_le_bytes(bytes.get(offset..offset + 8)?.try_into().ok()?));

    // Offsets of e_shoff, e_shentsize and e_shnum in the ELF64 header, and of sh_type in a
    // section header.
    let section_headers = usize::try_from(u64_at(0x28)?).ok()?;
    let entry_size = usize::from(u16_at(0x3a)?);
    let count = usize::from(u16_at(0x3c)?);
    for index in 0..count {
        let section_type = u32_at(section_headers + index * entry_size + 4)?;
        if section_type == SHT_SYMTAB {
            return Some(true);
        }
    }
    Some(false)
}

/// Formats the results as a Markdown table. The first entry is the baseline that the init
/// difference is measured against.
pub fn table(results: &[Measurements]) -> String {
    let baseline = results
        .first()
        .map(|first| (first.name.as_str(), Summary::of(&first.init)));
    let baseline_name = baseline.map_or("baseline", |(name, _)| name);

    let mut out = String::new();
    let _ = writeln!(
        out,
        "| binary | size (MiB) | under 6 MiB | stripped | init min (ms) | init median (ms) | init p90 (ms) \
         | init median minus {baseline_name} (ms) | first invocation median (ms) | first invocation p90 (ms) \
         | first invocation result |"
    );
    let _ = writeln!(out, "|---|--:|---|---|--:|--:|--:|--:|--:|--:|---|");
    for result in results {
        let init = Summary::of(&result.init);
        let first = Summary::of(&result.first_invocation);
        let size = result.size_bytes as f64 / MIB;
        let within_budget = if result.size_bytes < SIZE_BUDGET_BYTES {
            "yes"
        } else {
            "**no**"
        };
        let stripped = match result.has_symbol_table {
            Some(false) => "yes",
            Some(true) => "**no**",
            None => "unknown",
        };
        let difference = baseline.map_or(0.0, |(_, base)| init.median - base.median);
        let outcome = match (result.responses, result.errors) {
            (responses, 0) => format!("response {responses}/{responses}"),
            (0, errors) => format!("error {errors}/{errors}"),
            (responses, errors) => format!("response {responses}, error {errors}"),
        };
        let _ = writeln!(
            out,
            "| {} | {size:.2} | {within_budget} | {stripped} | {:.2} | {:.2} | {:.2} | {difference:+.2} | {:.2} | {:.2} | {outcome} |",
            result.name, init.min, init.median, init.p90, first.median, first.p90,
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(values: &[u64]) -> Vec<Duration> {
        values.iter().map(|&value| Duration::from_millis(value)).collect()
    }

    #[test]
    fn summary_of_odd_count() {
        let summary = Summary::of(&ms(&[5, 1, 3]));
        assert_eq!(summary.min, 1.0);
        assert_eq!(summary.median, 3.0);
        assert_eq!(summary.p90, 5.0);
    }

    #[test]
    fn summary_of_even_count() {
        let summary = Summary::of(&ms(&[4, 1, 3, 2]));
        assert_eq!(summary.median, 2.5);
        assert_eq!(summary.p90, 4.0);
    }

    #[test]
    fn p90_is_nearest_rank() {
        let samples = ms(&(1..=30).collect::<Vec<_>>());
        assert_eq!(Summary::of(&samples).p90, 27.0);
    }

    #[test]
    fn symbol_table_in_test_binary() {
        // Test binaries are built with the dev profile, which keeps symbols.
        let bytes = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        if cfg!(all(
            target_os = "linux",
            target_endian = "little",
            target_pointer_width = "64"
        )) {
            assert_eq!(has_symbol_table(&bytes), Some(true));
        }
    }

    #[test]
    fn non_elf_returns_none() {
        assert_eq!(has_symbol_table(b"#!/bin/sh\n"), None);
        assert_eq!(has_symbol_table(b""), None);
    }

    #[test]
    fn elf_without_sections_is_stripped() {
        let mut header = vec![0u8; 64];
        header[..6].copy_from_slice(b"\x7fELF\x02\x01");
        assert_eq!(has_symbol_table(&header), Some(false));
    }
}
