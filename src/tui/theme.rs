//! Colours by meaning. Widgets ask for `theme.style(Role::SevHigh)`, never
//! for a colour. A theme is a TOML file of role → style entries that
//! overrides the built-in default; a role a theme does not set falls back
//! along [`Role::fallback`]. The colour depth is a parameter: no colour at
//! all (NO_COLOR: severity and selection still show through bold/reverse
//! and text), 16 colours, 256 indexed colours (the default, safe over SSH),
//! or 24-bit (only when COLORTERM says so). Nothing here reads keys or data.

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Built-in themes: (name, TOML text).
pub const BUILTIN: [(&str, &str); 4] = [
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("colorblind", include_str!("../../themes/colorblind.toml")),
];

/// What a piece of screen means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Text,
    Dim,
    Title,
    Border,
    Header,
    Selected,
    Status,
    Footer,
    Key,
    SevCritical,
    SevHigh,
    SevMedium,
    SevLow,
    Success,
    Failure,
    Interrupted,
    Evidence,
    Hop,
    HopImpossible,
    MapLand,
    MapPoint,
    Error,
    Warning,
    Accent,
    Input,
    Suppressed,
    Verdict,
    Dialog,
    Chart,
}

impl Role {
    pub const ALL: [Role; 29] = [
        Role::Text,
        Role::Dim,
        Role::Title,
        Role::Border,
        Role::Header,
        Role::Selected,
        Role::Status,
        Role::Footer,
        Role::Key,
        Role::SevCritical,
        Role::SevHigh,
        Role::SevMedium,
        Role::SevLow,
        Role::Success,
        Role::Failure,
        Role::Interrupted,
        Role::Evidence,
        Role::Hop,
        Role::HopImpossible,
        Role::MapLand,
        Role::MapPoint,
        Role::Error,
        Role::Warning,
        Role::Accent,
        Role::Input,
        Role::Suppressed,
        Role::Verdict,
        Role::Dialog,
        Role::Chart,
    ];

    /// The name used in theme files.
    pub fn name(self) -> &'static str {
        match self {
            Role::Text => "text",
            Role::Dim => "dim",
            Role::Title => "title",
            Role::Border => "border",
            Role::Header => "header",
            Role::Selected => "selected",
            Role::Status => "status",
            Role::Footer => "footer",
            Role::Key => "key",
            Role::SevCritical => "severity-critical",
            Role::SevHigh => "severity-high",
            Role::SevMedium => "severity-medium",
            Role::SevLow => "severity-low",
            Role::Success => "success",
            Role::Failure => "failure",
            Role::Interrupted => "interrupted",
            Role::Evidence => "evidence",
            Role::Hop => "hop",
            Role::HopImpossible => "hop-impossible",
            Role::MapLand => "map-land",
            Role::MapPoint => "map-point",
            Role::Error => "error",
            Role::Warning => "warning",
            Role::Accent => "accent",
            Role::Input => "input",
            Role::Suppressed => "suppressed",
            Role::Verdict => "verdict",
            Role::Dialog => "dialog",
            Role::Chart => "chart",
        }
    }

    fn from_name(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == s)
    }

    /// The role used when a theme does not set this one.
    pub fn fallback(self) -> Option<Role> {
        Some(match self {
            Role::Text => return None,
            Role::SevCritical => Role::Error,
            Role::SevHigh => Role::Warning,
            Role::SevMedium | Role::SevLow | Role::Interrupted => Role::Text,
            Role::Failure => Role::Error,
            Role::HopImpossible => Role::Error,
            Role::Hop
            | Role::Evidence
            | Role::Key
            | Role::Verdict
            | Role::Chart
            | Role::MapPoint => Role::Accent,
            Role::Footer => Role::Status,
            Role::Suppressed | Role::MapLand | Role::Border => Role::Dim,
            Role::Input | Role::Dialog => Role::Text,
            _ => Role::Text,
        })
    }
}

/// How many colours the terminal gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ColorMode {
    /// NO_COLOR: attributes only.
    None,
    Ansi16,
    Indexed256,
    TrueColor,
}

impl ColorMode {
    /// From the environment: NO_COLOR, COLORTERM, TERM.
    pub fn detect() -> ColorMode {
        let var = |k: &str| std::env::var(k).unwrap_or_default();
        ColorMode::from_env(&var("NO_COLOR"), &var("COLORTERM"), &var("TERM"))
    }

    pub fn from_env(no_color: &str, colorterm: &str, term: &str) -> ColorMode {
        if !no_color.is_empty() {
            ColorMode::None
        } else if matches!(colorterm, "truecolor" | "24bit") {
            ColorMode::TrueColor
        } else if term.contains("256") || term.contains("direct") || term.is_empty() {
            ColorMode::Indexed256
        } else if term == "dumb" {
            ColorMode::None
        } else {
            ColorMode::Ansi16
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleSpec {
    fg: Option<String>,
    bg: Option<String>,
    #[serde(default)]
    modifiers: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<String>,
    #[serde(default)]
    roles: BTreeMap<String, RoleSpec>,
}

/// A theme error naming the file and the bad entry.
#[derive(Debug, thiserror::Error)]
#[error("theme {name}: {message}")]
pub struct ThemeError {
    pub name: String,
    pub message: String,
}

/// Resolved styles for every role at one colour depth.
#[derive(Clone, Debug)]
pub struct Theme {
    pub name: String,
    pub mode: ColorMode,
    styles: BTreeMap<Role, Style>,
}

impl Theme {
    /// A built-in theme by name, a theme in `dirs`, or a file path; `None` is the default.
    pub fn load(
        name: Option<&str>,
        mode: ColorMode,
        dirs: &[PathBuf],
    ) -> Result<Theme, ThemeError> {
        let name = name.unwrap_or("default");
        let mut specs = parse(BUILTIN[0].1, "default")?;
        let text = if let Some((_, t)) = BUILTIN.iter().find(|(n, _)| *n == name) {
            Some(t.to_string())
        } else {
            let file = if name.ends_with(".toml") || name.contains('/') {
                Some(PathBuf::from(name))
            } else {
                dirs.iter()
                    .map(|d| d.join(format!("{name}.toml")))
                    .find(|p| p.exists())
            };
            match file {
                Some(p) => Some(read(&p, name)?),
                None => {
                    let names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
                    return Err(ThemeError {
                        name: name.into(),
                        message: format!(
                            "no such theme; use one of {} or a .toml file",
                            names.join(", ")
                        ),
                    });
                }
            }
        };
        if name != "default" {
            if let Some(t) = text {
                specs.extend(parse(&t, name)?);
            }
        }
        Ok(Theme::resolve(name, &specs, mode))
    }

    /// The built-in default at a colour depth (never fails).
    pub fn builtin(name: &str, mode: ColorMode) -> Theme {
        Theme::load(Some(name), mode, &[])
            .unwrap_or_else(|_| Theme::resolve(name, &BTreeMap::new(), mode))
    }

    fn resolve(name: &str, specs: &BTreeMap<Role, Style>, mode: ColorMode) -> Theme {
        let mut styles = BTreeMap::new();
        for role in Role::ALL {
            let mut r = Some(role);
            let mut style = Style::default();
            while let Some(x) = r {
                if let Some(s) = specs.get(&x) {
                    style = *s;
                    break;
                }
                r = x.fallback();
            }
            styles.insert(role, adapt(role, style, mode));
        }
        Theme {
            name: name.to_string(),
            mode,
            styles,
        }
    }

    pub fn style(&self, role: Role) -> Style {
        self.styles.get(&role).copied().unwrap_or_default()
    }

    /// The names of the built-in themes, for cycling.
    pub fn builtin_names() -> impl Iterator<Item = &'static str> {
        BUILTIN.iter().map(|(n, _)| *n)
    }
}

/// Where user themes live: `$XDG_CONFIG_HOME/hunt/themes` and `./themes`.
pub fn theme_dirs() -> Vec<PathBuf> {
    use etcetera::BaseStrategy;
    let mut v = Vec::new();
    if let Ok(b) = etcetera::choose_base_strategy() {
        v.push(b.config_dir().join("hunt").join("themes"));
    }
    v.push(PathBuf::from("themes"));
    v
}

fn read(p: &Path, name: &str) -> Result<String, ThemeError> {
    std::fs::read_to_string(p).map_err(|e| ThemeError {
        name: name.into(),
        message: format!("cannot read {}: {e}", p.display()),
    })
}

fn parse(text: &str, name: &str) -> Result<BTreeMap<Role, Style>, ThemeError> {
    let err = |message: String| ThemeError {
        name: name.into(),
        message,
    };
    let file: ThemeFile = toml::from_str(text).map_err(|e| err(e.message().to_string()))?;
    let mut out = BTreeMap::new();
    for (role_name, spec) in file.roles {
        let role = Role::from_name(&role_name)
            .ok_or_else(|| err(format!("unknown role `{role_name}`")))?;
        let mut style = Style::default();
        if let Some(fg) = &spec.fg {
            style = style.fg(parse_color(fg).ok_or_else(|| err(format!("{role_name}: `{fg}` is not a colour (a name like red, a number 0-255, or #rrggbb)")))?);
        }
        if let Some(bg) = &spec.bg {
            style = style.bg(parse_color(bg)
                .ok_or_else(|| err(format!("{role_name}: `{bg}` is not a colour")))?);
        }
        for m in &spec.modifiers {
            style = style.add_modifier(parse_modifier(m).ok_or_else(|| err(format!("{role_name}: `{m}` is not a modifier (bold, dim, italic, underlined, reversed)")))?);
        }
        out.insert(role, style);
    }
    Ok(out)
}

fn parse_modifier(s: &str) -> Option<Modifier> {
    Some(match s {
        "bold" => Modifier::BOLD,
        "dim" => Modifier::DIM,
        "italic" => Modifier::ITALIC,
        "underlined" | "underline" => Modifier::UNDERLINED,
        "reversed" | "reverse" => Modifier::REVERSED,
        _ => return None,
    })
}

fn parse_color(s: &str) -> Option<Color> {
    if let Some(hex) = s.strip_prefix('#') {
        if hex.len() != 6 {
            return None;
        }
        let v = u32::from_str_radix(hex, 16).ok()?;
        return Some(Color::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8));
    }
    if let Ok(n) = s.parse::<u8>() {
        return Some(Color::Indexed(n));
    }
    Some(
        match s.to_ascii_lowercase().replace(['-', '_', ' '], "").as_str() {
            "reset" | "default" => Color::Reset,
            "black" => Color::Black,
            "red" => Color::Red,
            "green" => Color::Green,
            "yellow" => Color::Yellow,
            "blue" => Color::Blue,
            "magenta" => Color::Magenta,
            "cyan" => Color::Cyan,
            "gray" | "grey" => Color::Gray,
            "darkgray" | "darkgrey" => Color::DarkGray,
            "lightred" => Color::LightRed,
            "lightgreen" => Color::LightGreen,
            "lightyellow" => Color::LightYellow,
            "lightblue" => Color::LightBlue,
            "lightmagenta" => Color::LightMagenta,
            "lightcyan" => Color::LightCyan,
            "white" => Color::White,
            _ => return None,
        },
    )
}

/// Fits a style to the colour depth; without colour, keeps meaning through attributes.
fn adapt(role: Role, s: Style, mode: ColorMode) -> Style {
    match mode {
        ColorMode::None => {
            let mut out = Style::default().add_modifier(s.add_modifier);
            // Meaning that colour carried must survive without it.
            match role {
                Role::Selected => out = out.add_modifier(Modifier::REVERSED),
                Role::SevCritical
                | Role::SevHigh
                | Role::HopImpossible
                | Role::Title
                | Role::Header
                | Role::Key => out = out.add_modifier(Modifier::BOLD),
                Role::Status | Role::Footer | Role::Dialog => {}
                _ => {}
            }
            out
        }
        ColorMode::TrueColor => s,
        ColorMode::Indexed256 => map_colors(s, |c| match c {
            Color::Rgb(r, g, b) => Color::Indexed(rgb_to_256(r, g, b)),
            c => c,
        }),
        ColorMode::Ansi16 => map_colors(s, |c| match c {
            Color::Rgb(r, g, b) => to_16(rgb_to_256(r, g, b)),
            Color::Indexed(i) => to_16(i),
            c => c,
        }),
    }
}

fn map_colors(mut s: Style, f: impl Fn(Color) -> Color) -> Style {
    s.fg = s.fg.map(&f);
    s.bg = s.bg.map(&f);
    s
}

/// Nearest colour of the 256-colour palette (cube or grey ramp).
pub fn rgb_to_256(r: u8, g: u8, b: u8) -> u8 {
    let q = |v: u8| -> u8 {
        if v < 48 {
            0
        } else if v < 115 {
            1
        } else {
            (v - 35) / 40
        }
    };
    let (qr, qg, qb) = (q(r), q(g), q(b));
    let level = |x: u8| if x == 0 { 0 } else { 55 + 40 * x as i32 };
    let cube = 16 + 36 * qr + 6 * qg + qb;
    let cube_err = (level(qr) - r as i32).pow(2)
        + (level(qg) - g as i32).pow(2)
        + (level(qb) - b as i32).pow(2);
    let avg = (r as i32 + g as i32 + b as i32) / 3;
    let gi = ((avg - 3).max(0) / 10).min(23);
    let gv = 8 + 10 * gi;
    let grey_err = (gv - r as i32).pow(2) + (gv - g as i32).pow(2) + (gv - b as i32).pow(2);
    if grey_err < cube_err {
        232 + gi as u8
    } else {
        cube
    }
}

/// A 256-colour index as the nearest of the 16 basic colours.
fn to_16(i: u8) -> Color {
    const BASIC: [Color; 16] = [
        Color::Black,
        Color::Red,
        Color::Green,
        Color::Yellow,
        Color::Blue,
        Color::Magenta,
        Color::Cyan,
        Color::Gray,
        Color::DarkGray,
        Color::LightRed,
        Color::LightGreen,
        Color::LightYellow,
        Color::LightBlue,
        Color::LightMagenta,
        Color::LightCyan,
        Color::White,
    ];
    match i {
        0..=15 => BASIC.get(usize::from(i)).copied().unwrap_or(Color::Reset),
        232..=255 => {
            if i < 238 {
                Color::Black
            } else if i < 244 {
                Color::DarkGray
            } else if i < 252 {
                Color::Gray
            } else {
                Color::White
            }
        }
        _ => {
            let c = i - 16;
            let (r, g, b) = (c / 36, (c / 6) % 6, c % 6);
            let bright = r.max(g).max(b) >= 4;
            let bit = |v: u8| v >= 2;
            let idx = (bit(r) as usize) | ((bit(g) as usize) << 1) | ((bit(b) as usize) << 2);
            let idx = if idx == 0 { 0 } else { idx };
            match (idx, bright) {
                (0, _) => Color::DarkGray,
                (7, true) => Color::White,
                (7, false) => Color::Gray,
                (n, true) => BASIC.get(n + 8).copied().unwrap_or(Color::Reset),
                (n, false) => BASIC.get(n).copied().unwrap_or(Color::Reset),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_theme_parses_and_differs() {
        let mut seen = Vec::new();
        for (name, text) in BUILTIN {
            parse(text, name).unwrap();
            let t = Theme::load(Some(name), ColorMode::Indexed256, &[]).unwrap();
            seen.push(
                format!("{:?}", t.style(Role::Text)) + &format!("{:?}", t.style(Role::SevCritical)),
            );
        }
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), BUILTIN.len(), "themes should not be identical");
    }

    #[test]
    fn no_color_keeps_meaning_in_attributes() {
        let t = Theme::builtin("default", ColorMode::None);
        for role in Role::ALL {
            let s = t.style(role);
            assert!(s.fg.is_none() && s.bg.is_none(), "{role:?} kept a colour");
        }
        assert!(t
            .style(Role::Selected)
            .add_modifier
            .contains(Modifier::REVERSED));
        assert!(t
            .style(Role::SevCritical)
            .add_modifier
            .contains(Modifier::BOLD));
    }

    #[test]
    fn rgb_only_with_truecolor_and_indexed_by_default() {
        let text = "[roles]\ntext = { fg = \"#ff0000\" }\n";
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("mine.toml");
        std::fs::write(&p, text).unwrap();
        let name = p.to_str().unwrap();
        let t = Theme::load(Some(name), ColorMode::TrueColor, &[]).unwrap();
        assert_eq!(t.style(Role::Text).fg, Some(Color::Rgb(255, 0, 0)));
        let t = Theme::load(Some(name), ColorMode::Indexed256, &[]).unwrap();
        assert_eq!(t.style(Role::Text).fg, Some(Color::Indexed(196)));
        let t = Theme::load(Some(name), ColorMode::Ansi16, &[]).unwrap();
        assert_eq!(t.style(Role::Text).fg, Some(Color::LightRed));
        // A partial theme keeps the default's other roles.
        let d = Theme::builtin("default", ColorMode::Indexed256);
        assert_eq!(
            t.style(Role::Selected).add_modifier,
            d.style(Role::Selected).add_modifier
        );
        for (theme, _) in BUILTIN {
            let t = Theme::builtin(theme, ColorMode::Indexed256);
            for role in Role::ALL {
                let s = t.style(role);
                assert!(
                    !matches!(s.fg, Some(Color::Rgb(..))) && !matches!(s.bg, Some(Color::Rgb(..))),
                    "{theme} {role:?}"
                );
            }
        }
    }

    #[test]
    fn environment_decides_depth() {
        assert_eq!(
            ColorMode::from_env("1", "truecolor", "xterm-256color"),
            ColorMode::None
        );
        assert_eq!(
            ColorMode::from_env("", "truecolor", "xterm"),
            ColorMode::TrueColor
        );
        assert_eq!(
            ColorMode::from_env("", "", "xterm-256color"),
            ColorMode::Indexed256
        );
        assert_eq!(ColorMode::from_env("", "", "xterm"), ColorMode::Ansi16);
        assert_eq!(ColorMode::from_env("", "", "dumb"), ColorMode::None);
    }

    #[test]
    fn bad_theme_entries_are_named() {
        let e = parse("[roles]\nnope = { fg = \"red\" }\n", "t")
            .unwrap_err()
            .to_string();
        assert!(e.contains("nope"), "{e}");
        let e = parse("[roles]\ntext = { fg = \"rouge\" }\n", "t")
            .unwrap_err()
            .to_string();
        assert!(e.contains("rouge"), "{e}");
        assert!(Theme::load(Some("nosuch"), ColorMode::None, &[]).is_err());
    }
}
