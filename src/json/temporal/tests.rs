use super::*;

fn text(f: impl FnOnce(&mut Vec<u8>)) -> String {
    let mut out = b"x".to_vec();
    f(&mut out);
    assert_eq!(out.remove(0), b'x', "must append");
    String::from_utf8(out).unwrap()
}

const PLAIN: TimeFormat = TimeFormat {
    utc_z: false,
    omit_microseconds: false,
};

fn date(year: u16, month: u8, day: u8) -> Date {
    Date { year, month, day }
}

fn time(hour: u8, minute: u8, second: u8, microsecond: u32) -> Time {
    Time {
        hour,
        minute,
        second,
        microsecond,
    }
}

#[test]
fn dates() {
    assert_eq!(text(|o| write_date(o, date(1, 1, 1))), r#""0001-01-01""#);
    assert_eq!(
        text(|o| write_date(o, date(9999, 12, 31))),
        r#""9999-12-31""#
    );
    assert_eq!(
        text(|o| write_date(o, date(2024, 2, 29))),
        r#""2024-02-29""#
    );
}

#[test]
fn times_and_offsets() {
    let t = time(3, 4, 5, 6);
    assert_eq!(
        text(|o| write_time(o, t, None, PLAIN)),
        r#""03:04:05.000006""#
    );
    assert_eq!(
        text(|o| write_time(o, time(23, 59, 0, 0), None, PLAIN)),
        r#""23:59:00""#
    );
    assert_eq!(
        text(|o| write_time(o, t, Some(0), PLAIN)),
        r#""03:04:05.000006+00:00""#
    );
    let z = TimeFormat {
        utc_z: true,
        omit_microseconds: false,
    };
    assert_eq!(
        text(|o| write_time(o, t, Some(0), z)),
        r#""03:04:05.000006Z""#
    );
    assert_eq!(
        text(|o| write_time(o, t, Some(-1), z)),
        r#""03:04:05.000006-00:00:00.000001""#
    );
    let hour = 3_600_000_000;
    assert_eq!(
        text(|o| write_time(o, t, Some(5 * hour + 30 * 60_000_000), z)),
        r#""03:04:05.000006+05:30""#
    );
}

#[test]
fn datetimes() {
    let d = date(2020, 1, 2);
    let t = time(3, 4, 5, 6);
    let offset = -(5 * 3_600_000_000 + 7_000_000);
    assert_eq!(
        text(|o| write_datetime(o, d, t, Some(offset), PLAIN)),
        r#""2020-01-02T03:04:05.000006-05:00:07""#
    );
    let omit = TimeFormat {
        utc_z: true,
        omit_microseconds: true,
    };
    assert_eq!(
        text(|o| write_datetime(o, d, t, Some(0), omit)),
        r#""2020-01-02T03:04:05Z""#
    );
    assert_eq!(
        text(|o| write_datetime(o, d, t, Some(1), omit)),
        r#""2020-01-02T03:04:05+00:00:00.000001""#
    );
    assert_eq!(
        text(|o| write_datetime(o, d, t, None, omit)),
        r#""2020-01-02T03:04:05""#
    );
}

#[test]
fn out_of_range_fields_are_not_truncated() {
    // Not producible from Python objects; the point is no panic, no garbage.
    let t = time(255, 255, 255, u32::MAX);
    let written = text(|o| write_datetime(o, date(u16::MAX, 255, 255), t, Some(i64::MIN), PLAIN));
    assert_eq!(
        written,
        r#""65535-255-255T255:255:255.4294967295-2562047788:00:54.775808""#
    );
}

#[test]
fn matches_python_isoformat() {
    let data = include_str!("../testdata/temporal.txt");
    let mut count = 0;
    for line in data.lines() {
        let f: Vec<&str> = line.split(' ').collect();
        let n = |i: usize| f[i].parse::<u32>().unwrap();
        let d = date(n(0) as u16, n(1) as u8, n(2) as u8);
        let t = time(n(3) as u8, n(4) as u8, n(5) as u8, n(6));
        let offset = match f[7] {
            "naive" => None,
            us => Some(us.parse::<i64>().unwrap()),
        };
        let (dt_full, dt_seconds, t_full, t_seconds, d_text) = (f[8], f[9], f[10], f[11], f[12]);
        let omit = TimeFormat {
            utc_z: false,
            omit_microseconds: true,
        };
        let q = |s: &str| format!("\"{s}\"");
        assert_eq!(text(|o| write_datetime(o, d, t, offset, PLAIN)), q(dt_full));
        assert_eq!(
            text(|o| write_datetime(o, d, t, offset, omit)),
            q(dt_seconds)
        );
        assert_eq!(text(|o| write_time(o, t, offset, PLAIN)), q(t_full));
        assert_eq!(text(|o| write_time(o, t, offset, omit)), q(t_seconds));
        assert_eq!(text(|o| write_date(o, d)), q(d_text));
        let z = TimeFormat {
            utc_z: true,
            omit_microseconds: false,
        };
        let with_z = if offset == Some(0) {
            dt_full.replace("+00:00", "Z")
        } else {
            dt_full.to_string()
        };
        assert_eq!(text(|o| write_datetime(o, d, t, offset, z)), q(&with_z));
        count += 1;
    }
    assert!(count > 400);
}

#[test]
fn iso_durations() {
    let iso = |d, s, us| text(|o| write_duration_iso(o, d, s, us));
    assert_eq!(iso(0, 0, 0), r#""PT0S""#);
    assert_eq!(iso(1, 0, 0), r#""P1D""#);
    assert_eq!(iso(-1, 82_800, 0), r#""-PT1H""#);
    assert_eq!(iso(0, 1, 500_000), r#""PT1.5S""#);
    assert_eq!(iso(0, 0, 1), r#""PT0.000001S""#);
    assert_eq!(iso(-1, 86_399, 999_999), r#""-PT0.000001S""#);
    assert_eq!(iso(1, 7384, 5), r#""P1DT2H3M4.000005S""#);
    assert_eq!(iso(0, 60, 0), r#""PT1M""#);
    assert_eq!(iso(-2, 0, 0), r#""-P2D""#);
    assert_eq!(
        iso(999_999_999, 86_399, 999_999),
        r#""P999999999DT23H59M59.999999S""#
    );
    assert_eq!(iso(-999_999_999, 0, 0), r#""-P999999999D""#);
}

#[test]
fn duration_seconds() {
    let secs = |d, s, us| text(|o| write_duration_seconds(o, d, s, us));
    assert_eq!(secs(0, 0, 0), "0.0");
    assert_eq!(secs(0, 1, 500_000), "1.5");
    assert_eq!(secs(0, 0, 1), "1e-06");
    assert_eq!(secs(-1, 86_399, 999_999), "-1e-06");
    assert_eq!(secs(1, 0, 0), "86400.0");
    assert_eq!(secs(999_999_999, 86_399, 999_999), "86400000000000.0");
    assert_eq!(secs(-999_999_999, 0, 0), "-86399999913600.0");
}

#[test]
fn durations_match_python() {
    let data = include_str!("../testdata/durations.txt");
    let mut count = 0;
    for line in data.lines() {
        let f: Vec<&str> = line.split(' ').collect();
        let n = |i: usize| f[i].parse::<i32>().unwrap();
        let (d, s, us) = (n(0), n(1), n(2));
        assert_eq!(
            text(|o| write_duration_iso(o, d, s, us)),
            format!("\"{}\"", f[3]),
            "{line}"
        );
        assert_eq!(
            text(|o| write_duration_seconds(o, d, s, us)),
            f[4],
            "{line}"
        );
        count += 1;
    }
    assert!(count > 400);
}

#[test]
fn common_datetimes_match_the_general_writer() {
    // The fixed-position writer against the one for any field values, on
    // values in and around its range.
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = |m: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % m
    };
    let offsets = [
        None,
        Some(0),
        Some(3_600_000_000),
        Some(-19_800_000_000),
        Some(86_340_000_000),
        Some(-86_340_000_000),
        Some(60_000_000),
        Some(1_000_000),
        Some(-5),
        Some(359_940_000_000),
        Some(360_000_000_000),
    ];
    for _ in 0..200_000 {
        let d = date(
            [1, 999, 1000, 2024, 9999, 10000, u16::MAX][next(7) as usize],
            next(13) as u8 + [0, 90][next(2) as usize],
            next(32) as u8 + [0, 90][next(2) as usize],
        );
        let t = time(
            next(24) as u8 + [0, 80][next(2) as usize],
            next(60) as u8 + [0, 60][next(2) as usize],
            next(60) as u8,
            [0, 1, 500, 999_999, 1_000_000, next(1_000_000) as u32][next(6) as usize],
        );
        let offset = offsets[next(offsets.len() as u64) as usize];
        for fmt in [
            TimeFormat::default(),
            TimeFormat {
                utc_z: true,
                omit_microseconds: false,
            },
            TimeFormat {
                utc_z: false,
                omit_microseconds: true,
            },
        ] {
            let fast = text(|out| write_datetime(out, d, t, offset, fmt));
            let general = text(|out| write_datetime_any(out, d, t, offset, fmt));
            assert_eq!(fast, general, "{d:?} {t:?} {offset:?} {fmt:?}");
        }
    }
}
