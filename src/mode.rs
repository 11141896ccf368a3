//! The widget's modes and the wasm build that has each of them.
//!
//! Which build a mode uses is written once for the whole project, in `js/builds.json`: the
//! loader and `pkg-scripts/build-widget` read it, and `tests/builds.rs` checks [`build_of`]
//! (and the cargo features, one per build) against it. Imports nothing of the widget, so the
//! config, the API client and the views can all use it.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Order,
    Report,
    /// The report beside the hiring manager's decision panel (proceed / adverse action).
    Review,
    Disclosures,
    Apply,
}

impl Mode {
    pub const ALL: [Mode; 5] = [
        Mode::Order,
        Mode::Report,
        Mode::Review,
        Mode::Disclosures,
        Mode::Apply,
    ];

    pub fn parse(s: &str) -> Option<Mode> {
        match s {
            "order" => Some(Mode::Order),
            "report" => Some(Mode::Report),
            "review" => Some(Mode::Review),
            "disclosures" => Some(Mode::Disclosures),
            "apply" => Some(Mode::Apply),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Order => "order",
            Mode::Report => "report",
            Mode::Review => "review",
            Mode::Disclosures => "disclosures",
            Mode::Apply => "apply",
        }
    }
}

/// A wasm build: one group of modes, compiled with the cargo feature of its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Build {
    Order,
    Review,
    Frames,
    Apply,
}

impl Build {
    pub const ALL: [Build; 4] = [Build::Order, Build::Review, Build::Frames, Build::Apply];

    /// Its cargo feature, and its files in `pkg/`: `screening_widget_<name>.js` and
    /// `screening_widget_<name>_bg.wasm`.
    #[inline(always)]
    pub const fn name(self) -> &'static str {
        match self {
            Build::Order => "order",
            Build::Review => "review",
            Build::Frames => "frames",
            Build::Apply => "apply",
        }
    }

    /// Whether this wasm is that build (a test build has every feature, so every build).
    /// Always inlined, like [`build_of`]: a constant at every call, so the code of the modes
    /// a build refuses is left out of it.
    #[inline(always)]
    pub const fn is_compiled(self) -> bool {
        match self {
            Build::Order => cfg!(feature = "order"),
            Build::Review => cfg!(feature = "review"),
            Build::Frames => cfg!(feature = "frames"),
            Build::Apply => cfg!(feature = "apply"),
        }
    }
}

/// The build with `mode`'s views, as `js/builds.json` says.
#[inline(always)]
pub const fn build_of(mode: Mode) -> Build {
    match mode {
        Mode::Order => Build::Order,
        Mode::Review => Build::Review,
        Mode::Report | Mode::Disclosures => Build::Frames,
        Mode::Apply => Build::Apply,
    }
}

/// Whether this build has `mode`'s views.
#[inline(always)]
pub const fn has_mode(mode: Mode) -> bool {
    build_of(mode).is_compiled()
}
