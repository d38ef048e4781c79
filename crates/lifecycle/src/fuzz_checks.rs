//! The laws the fuzz targets of this crate's parsers check, shared with the corpus tests
//! that run the seeds on stable Rust. Each function panics when a law is broken, which is
//! how a fuzzer reports a bug.

use std::fmt::Write as _;

use vnum_core::CountryCode;

use crate::{City, HolidayCalendar};

/// A city name reads back what it writes: trimmed, not blank, the same city.
pub fn city(text: &str) {
    if let Ok(city) = City::new(text) {
        let written = city.to_string();
        assert!(
            !written.is_empty() && written.trim() == written,
            "{text:?} -> {written:?}"
        );
        let reread = City::new(&written).expect("a written city parses");
        assert_eq!(reread.as_str(), written, "{text:?}");
    }
}

/// A holiday list reads back the holidays it holds when they are written one ISO date per
/// line, and an error names a line of the text.
pub fn holiday_calendar(text: &str) {
    let Ok(germany) = CountryCode::parse("DE") else {
        panic!("DE is a country code");
    };
    match HolidayCalendar::parse(germany, text) {
        Ok(calendar) => {
            let mut written = String::new();
            for day in calendar.holidays() {
                let _ = writeln!(written, "{} holiday", day.format("%Y-%m-%d"));
            }
            let reread = HolidayCalendar::parse(germany, &written)
                .unwrap_or_else(|e| panic!("{text:?} -> {written:?}: {e}"));
            assert!(
                reread.holidays().eq(calendar.holidays()),
                "{text:?} -> {written:?}"
            );
        }
        Err(crate::CalendarError::BadHoliday { line, .. }) => {
            assert!(
                (1..=text.lines().count()).contains(&line),
                "{text:?}: line {line}"
            );
        }
        Err(e) => panic!("{text:?}: {e}"),
    }
}
