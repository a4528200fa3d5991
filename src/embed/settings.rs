//! The settings the loader (`embed/embed.js`) passes in the frame's fragment, and the theme they
//! ask for, applied as the custom properties the stylesheet is written with. Every value is
//! checked for its shape first, so a host page cannot inject anything else into the styles.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::host::origin_of;

/// The theme the host asks for; without one the frame follows the visitor's system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
}

/// The frame's settings, from its fragment (`#origin=…&brand=…`), which never reaches a
/// server. A value of the wrong shape is left out, so the app's own style applies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmbedSettings {
    /// The host page's origin as the loader saw it.
    pub origin: Option<String>,
    /// A hex colour such as `#e4002b`.
    pub brand: Option<String>,
    /// A length such as `4px` or `0.5rem`.
    pub radius: Option<String>,
    /// A font-family list.
    pub font: Option<String>,
    pub theme: Option<Theme>,
}

impl EmbedSettings {
    /// Reads decoded `key=value` pairs; unknown keys and malformed values are ignored.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> EmbedSettings {
        let mut settings = EmbedSettings::default();
        for (key, value) in pairs {
            match key.as_str() {
                "origin" => settings.origin = origin_of(&value).filter(|o| *o == value),
                "brand" => settings.brand = is_colour(&value).then_some(value),
                "radius" => settings.radius = is_length(&value).then_some(value),
                "font" => settings.font = is_font(&value).then_some(value),
                "theme" => {
                    settings.theme = match value.as_str() {
                        "dark" => Some(Theme::Dark),
                        "light" => Some(Theme::Light),
                        _ => None,
                    }
                }
                _ => {}
            }
        }
        settings
    }

    /// The settings in this page's fragment.
    pub fn from_location() -> EmbedSettings {
        let hash = window().location().hash().unwrap_or_default();
        let Ok(params) = web_sys::UrlSearchParams::new_with_str(hash.trim_start_matches('#'))
        else {
            return EmbedSettings::default();
        };
        let pairs = js_sys::try_iter(&params)
            .ok()
            .flatten()
            .into_iter()
            .flatten()
            .filter_map(|entry| {
                let pair: js_sys::Array = entry.ok()?.unchecked_into();
                Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
            });
        EmbedSettings::from_pairs(pairs)
    }

    /// Applies the theme through the custom properties `style/main.css` is written with.
    pub fn apply(&self) {
        let Some(root) = document()
            .document_element()
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
        else {
            return;
        };
        let style = root.style();
        if let Some(brand) = &self.brand {
            let _ = style.set_property("--brand", brand);
            let _ = style.set_property("--focus", brand);
            let _ = style.set_property("--brand-contrast", contrast_text(brand));
        }
        if let Some(radius) = &self.radius {
            let _ = style.set_property("--radius", radius);
        }
        if let Some(font) = &self.font {
            let _ = style.set_property("--font", font);
        }
        if let Some(theme) = self.theme {
            let name = match theme {
                Theme::Light => "light",
                Theme::Dark => "dark",
            };
            let _ = root.set_attribute("data-theme", name);
        }
        // The loader sizes the frame to the content, so the page itself never scrolls (a
        // scrollbar flashing while the frame catches up would change the content's width).
        if self.origin.is_some() {
            let _ = style.set_property("overflow", "hidden");
        }
    }
}

/// `#rgb`, `#rgba`, `#rrggbb` or `#rrggbbaa`.
pub fn is_colour(text: &str) -> bool {
    text.strip_prefix('#').is_some_and(|hex| {
        matches!(hex.len(), 3 | 4 | 6 | 8) && hex.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// `0`, or a number of at most three digits and three decimals in px, rem or em.
pub fn is_length(text: &str) -> bool {
    if text == "0" {
        return true;
    }
    let Some(number) = ["px", "rem", "em"]
        .iter()
        .find_map(|unit| text.strip_suffix(unit))
    else {
        return false;
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, "0"));
    let digits = |s: &str, max: usize| {
        !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit())
    };
    digits(whole, 3) && digits(fraction, 3)
}

/// A font-family list: names, quotes, commas and spaces, nothing that could end the value.
pub fn is_font(text: &str) -> bool {
    !text.trim().is_empty()
        && text.chars().count() <= 200
        && !text
            .chars()
            .any(|c| c.is_control() || ";{}()\\<>!@/:".contains(c))
}

/// Black or white, whichever reads better on the colour `hex`, by the YIQ brightness rule
/// (0.299 R + 0.587 G + 0.114 B on 0–255; black text from 128 up). Integer arithmetic keeps the
/// bundle free of a floating-point `pow`.
pub fn contrast_text(hex: &str) -> &'static str {
    let digits: Vec<u32> = hex
        .trim_start_matches('#')
        .chars()
        .filter_map(|c| c.to_digit(16))
        .collect();
    let [r, g, b] = match digits.len() {
        3 | 4 => [0, 1, 2].map(|i| digits[i] * 17),
        6 | 8 => [0, 2, 4].map(|i| digits[i] * 16 + digits[i + 1]),
        _ => return "#ffffff",
    };
    if r * 299 + g * 587 + b * 114 >= 128_000 {
        "#000000"
    } else {
        "#ffffff"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn settings_keep_only_values_of_the_right_shape() {
        let good = EmbedSettings::from_pairs(pairs(&[
            ("origin", "https://portal.example.com:8443"),
            ("brand", "#E4002B"),
            ("radius", "0.5rem"),
            ("font", "\"Noto Sans SC\", 微软雅黑, sans-serif"),
            ("theme", "dark"),
            ("other", "ignored"),
        ]));
        assert_eq!(
            good,
            EmbedSettings {
                origin: Some("https://portal.example.com:8443".into()),
                brand: Some("#E4002B".into()),
                radius: Some("0.5rem".into()),
                font: Some("\"Noto Sans SC\", 微软雅黑, sans-serif".into()),
                theme: Some(Theme::Dark),
            }
        );
        let bad = EmbedSettings::from_pairs(pairs(&[
            ("origin", "https://portal.example.com/page"),
            ("brand", "red; background: url(x)"),
            ("radius", "calc(1px + 1px)"),
            ("font", "x; color: red"),
            ("theme", "sepia"),
        ]));
        assert_eq!(bad, EmbedSettings::default());
    }

    #[test]
    fn colours_lengths_and_fonts() {
        for ok in ["#abc", "#abcd", "#a1b2c3", "#a1b2c3d4"] {
            assert!(is_colour(ok), "{ok}");
        }
        for bad in ["abc", "#ab", "#abcde", "#ggg", "url(x)", "#"] {
            assert!(!is_colour(bad), "{bad}");
        }
        for ok in ["0", "4px", "0.75rem", "1.5em", "999px"] {
            assert!(is_length(ok), "{ok}");
        }
        for bad in ["", "4", "1000px", "1.px", ".5rem", "4pt", "-4px", "1e3px"] {
            assert!(!is_length(bad), "{bad}");
        }
        assert!(is_font("Georgia, serif"));
        for bad in ["", "  ", "a;b", "x}", "url(x)", "a\\b", "a!important"] {
            assert!(!is_font(bad), "{bad}");
        }
    }

    #[test]
    fn text_on_the_brand_colour_is_black_or_white_by_contrast() {
        assert_eq!(contrast_text("#1d5fd1"), "#ffffff");
        assert_eq!(contrast_text("#000"), "#ffffff");
        assert_eq!(contrast_text("#ffd200"), "#000000");
        assert_eq!(contrast_text("#fff"), "#000000");
        assert_eq!(contrast_text("#7fb0ffcc"), "#000000");
        assert_eq!(contrast_text("#e4002b"), "#ffffff");
    }
}
