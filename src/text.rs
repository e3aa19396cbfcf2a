//! Untrusted text (names from the platform, server messages, file names and
//! lines) made safe to print on one terminal line: every character a terminal
//! acts on is shown instead, and a line has a length a terminal can hold.
//!
//! C0 controls and DEL show as their Unicode control pictures (ESC as `␛`,
//! CR as `␍`, a newline as `␊`), so an escape sequence reads as text and a
//! name cannot start a line of its own; C1 controls, bidi embeddings,
//! overrides, isolates and marks, invisible format characters (the byte
//! order mark among them), and the line and paragraph separators show as
//! `<U+202E>`, so nothing reorders, hides or breaks what follows. Every other
//! character, in any script, is kept.

use std::borrow::Cow;

/// Width when the terminal's is unknown (or given as 0).
const DEFAULT_WIDTH: usize = 80;
/// Below this, text would break into slivers: wrap as if this wide.
const NARROWEST: usize = 40;

/// The width to wrap to: the one given (`COLUMNS`), else the terminal's,
/// else 80; never below 40.
pub fn width(given: Option<u16>) -> usize {
    let width = match given {
        Some(w) if w > 0 => usize::from(w),
        Some(_) => DEFAULT_WIDTH,
        None => comfy_table::Table::new()
            .width()
            .map_or(DEFAULT_WIDTH, usize::from),
    };
    width.max(NARROWEST)
}

/// The most characters a line shows (a shown control counts as what shows
/// it); the rest is counted, not printed.
pub const MAX_LINE_CHARS: usize = 2000;

/// `text` safe for one terminal line; unchanged (and not copied) when it
/// already is.
pub fn line(text: &str) -> Cow<'_, str> {
    let short = text.len() <= MAX_LINE_CHARS || text.chars().count() <= MAX_LINE_CHARS;
    if short && !text.chars().any(is_shown_as_code) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len().min(MAX_LINE_CHARS * 4) + 16);
    let mut shown = 0;
    for (taken, c) in text.chars().enumerate() {
        let visible = visible(c);
        shown += visible.chars().count();
        if shown > MAX_LINE_CHARS {
            let more = text.chars().count() - taken;
            out.push_str(&format!("… ({more} more characters)"));
            break;
        }
        out.push_str(&visible);
    }
    Cow::Owned(out)
}

/// `line`, as an owned string (for fields of a copy).
pub fn owned_line(text: &str) -> String {
    line(text).into_owned()
}

/// Whether a terminal would act on `c` rather than show it, or it would
/// reorder, break or hide the text around it. Also what quoted output
/// (HCL, JSON in a shell word) writes as an escape instead of raw.
pub fn is_shown_as_code(c: char) -> bool {
    c.is_control() || is_format_or_separator(c)
}

/// Bidi marks, embeddings, overrides and isolates; invisible formatting
/// (word joiner, invisible operators, the byte order mark, which no font
/// shows); the line and paragraph separators.
fn is_format_or_separator(c: char) -> bool {
    matches!(
        c,
        '\u{061c}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206f}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{feff}'
    )
}

/// How `c` is shown.
fn visible(c: char) -> Cow<'static, str> {
    match c {
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32)
            .expect("a control picture")
            .to_string()
            .into(),
        '\u{7f}' => "␡".into(),
        c if is_shown_as_code(c) => format!("<U+{:04X}>", c as u32).into(),
        c => c.to_string().into(),
    }
}

/// How many terminal columns `text` takes: its display width (a wide
/// character takes two, a combining mark none), colour codes left out.
pub fn shown_width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(without_ansi(text).as_str())
}

/// The doctor's own output without its ANSI escape sequences (colour, cursor
/// moves): for measuring what a terminal shows, and for the canary's plain view.
pub fn without_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ parameters final-letter; anything else: ESC and one character.
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A value as one POSIX shell word.
pub fn shell_word(value: &str) -> String {
    if !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:/@%+=,".contains(c))
    {
        value.to_string()
    } else {
        format!("'{}'", value.replace('\'', "'\\''"))
    }
}

/// `text` wrapped at `width`: the first line after `first`, the others after
/// `rest`; at most `max_lines`, the last one ending in `…` when cut. A word
/// longer than a line stands on its own line rather than being broken (a
/// preview of `max_lines` ends before it), and so does a command in
/// backticks: what is copied stays whole.
pub fn wrap(text: &str, width: usize, first: &str, rest: &str, max_lines: Option<usize>) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut line = first.to_string();
    let mut empty = true;
    let visible = shown_width;
    for word in words(text) {
        let word = word.as_str();
        if !empty && visible(&line) + 1 + visible(word) > width {
            lines.push(std::mem::replace(&mut line, rest.to_string()));
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    lines.push(line);
    // A preview (`max_lines`) also ends before a word too long for a line
    // (cut to the width when it is the first).
    let max_lines = max_lines.map(|max| {
        lines
            .iter()
            .position(|l| visible(l) > width)
            .map_or(max, |long| max.min(long.max(1)))
    });
    if let Some(max) = max_lines
        && (lines.len() > max || lines.get(max - 1).is_some_and(|l| visible(l) > width))
    {
        lines.truncate(max);
        let last = lines.last_mut().expect("at least one line");
        while visible(last) + 1 > width {
            last.pop();
        }
        last.push('…');
    }
    lines
        .iter()
        .map(|l| format!("{}\n", l.trim_end()))
        .collect()
}

/// The words of `text`; a span between backticks is one word.
fn words(text: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut open = false;
    for word in text.split_whitespace() {
        match words.last_mut() {
            Some(last) if open => {
                last.push(' ');
                last.push_str(word);
            }
            _ => words.push(word.to_string()),
        }
        if word.matches('`').count() % 2 == 1 {
            open = !open;
        }
    }
    words
}

/// A shell command laid out within `width`: after `first`, as it is when it
/// fits, else broken between its words with a `\` at the end of each line
/// but the last, the next lines after `rest`. Pasted, the lines run as the
/// one command (a shell joins a line that ends in `\` with the next); no
/// word is broken, and no line breaks inside quotes.
pub fn command_lines(command: &str, width: usize, first: &str, rest: &str) -> String {
    let fits = |line: &str| shown_width(line) <= width;
    let whole = format!("{first}{command}");
    if fits(&whole) {
        return format!("{whole}\n");
    }
    let mut lines: Vec<String> = Vec::new();
    let mut line = first.to_string();
    let mut empty = true;
    for word in shell_words(command) {
        // Room for the word and, after it, the " \\" that may follow.
        if !empty && !fits(&format!("{line} {word} \\")) {
            lines.push(format!("{line} \\"));
            line = rest.to_string();
        } else if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    lines.push(line);
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// The words of a shell command as written (quotes kept): split at blanks
/// outside quotes, so a quoted value with spaces stays one word.
fn shell_words(command: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut start: Option<usize> = None;
    let (mut single, mut double, mut escaped) = (false, false, false);
    for (at, c) in command.char_indices() {
        if start.is_none() && !c.is_whitespace() {
            start = Some(at);
        }
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' if !single => escaped = true,
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            c if c.is_whitespace() && !single && !double => {
                if let Some(from) = start.take() {
                    words.push(&command[from..at]);
                }
            }
            _ => {}
        }
    }
    if let Some(from) = start {
        words.push(&command[from..]);
    }
    words
}

/// Every line of `text` wider than `width` wrapped at spaces: an indented
/// line goes on as a paragraph under its own indent, an unindented one
/// (`Label: value`) two spaces in. For text written line by line, such as
/// `explain`.
pub fn wrap_lines(text: &str, width: usize) -> String {
    each_long_line(text, width, |line, indent| {
        let rest = if indent.is_empty() { "  " } else { indent };
        wrap(line.trim_start(), width, indent, rest, None)
    })
}

/// `text` with every line wider than `width` replaced by what `wrapped`
/// makes of it (given the line and its indent).
fn each_long_line(text: &str, width: usize, wrapped: impl Fn(&str, &str) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        if shown_width(line) <= width {
            out.push_str(line);
            out.push('\n');
        } else {
            let indent = &line[..line.len() - line.trim_start().len()];
            out.push_str(&wrapped(line, indent));
        }
    }
    out
}

/// A writer that wraps every line written through it to `width`, each
/// going on two spaces further in than it starts, so that one item of a
/// list stays apart from the next: for output written piece by piece
/// (`fix`'s plan and what follows it). A line is written when its newline
/// comes; `finish` writes one left without.
pub struct Wrapping<'a> {
    inner: &'a mut dyn std::io::Write,
    width: usize,
    pending: Vec<u8>,
}

/// Every line of `text` wider than `width` wrapped, going on two spaces
/// further in than it starts; a line that starts with a label set apart by
/// two spaces (`  clientSecret  not shown…`) goes on under its value.
pub fn wrap_hanging(text: &str, width: usize) -> String {
    each_long_line(text, width, |line, indent| {
        let body = &line[indent.len()..];
        let label = body
            .find("  ")
            .filter(|&at| at <= width / 3)
            .map(|at| at + body[at..].len() - body[at..].trim_start().len());
        match label {
            Some(end) => {
                let first = &line[..indent.len() + end];
                wrap(
                    &body[end..],
                    width,
                    first,
                    &" ".repeat(first.chars().count()),
                    None,
                )
            }
            None => wrap(body, width, indent, &format!("{indent}  "), None),
        }
    })
}

impl<'a> Wrapping<'a> {
    pub fn new(inner: &'a mut dyn std::io::Write, width: usize) -> Self {
        Wrapping {
            inner,
            width,
            pending: Vec::new(),
        }
    }

    /// Writes what is left of the last line.
    pub fn finish(mut self) -> std::io::Result<()> {
        if !self.pending.is_empty() {
            let rest = std::mem::take(&mut self.pending);
            let wrapped = wrap_hanging(&String::from_utf8_lossy(&rest), self.width);
            self.inner
                .write_all(wrapped.trim_end_matches('\n').as_bytes())?;
        }
        self.inner.flush()
    }
}

impl std::io::Write for Wrapping<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(bytes);
        if let Some(end) = self.pending.iter().rposition(|&b| b == b'\n') {
            let lines: Vec<u8> = self.pending.drain(..=end).collect();
            let wrapped = wrap_hanging(&String::from_utf8_lossy(&lines), self.width);
            self.inner.write_all(wrapped.as_bytes())?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wide_character_takes_two_columns_when_text_is_wrapped() {
        // Six CJK characters are twelve columns: in ten, the second word goes to a line of its own.
        assert_eq!(shown_width("\u{1b}[31m表示幅\u{1b}[0m"), 6);
        assert_eq!(wrap("表示幅 データ", 10, "", "", None), "表示幅\nデータ\n");
        assert_eq!(shown_width("e\u{301}"), 1, "a combining accent takes none");
    }

    #[test]
    fn an_unknown_or_zero_width_is_eighty_and_slivers_are_refused() {
        assert_eq!(width(Some(0)), DEFAULT_WIDTH);
        assert_eq!(width(Some(10)), NARROWEST);
        assert_eq!(width(Some(132)), 132);
    }

    #[test]
    fn a_wrapping_writer_wraps_each_line_as_it_comes() {
        let mut out = Vec::new();
        let mut writer = Wrapping::new(&mut out, 20);
        use std::io::Write as _;
        writer.write_all(b"short\none two three ").unwrap();
        writer.write_all(b"four five six seven\n  a b c").unwrap();
        writer.finish().unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "short\none two three four\n  five six seven\n  a b c"
        );
    }

    #[test]
    fn wrapping_indents_cuts_and_never_makes_slivers() {
        let text = "one two three four five six seven eight nine ten";
        assert_eq!(
            wrap(text, 20, "  ", "    ", None),
            "  one two three four\n    five six seven\n    eight nine ten\n"
        );
        let cut = wrap(text, 20, "  ", "    ", Some(2));
        assert_eq!(cut.lines().count(), 2);
        assert!(cut.trim_end().ends_with('…'), "{cut}");
        let long = wrap(
            "see https://example.com/a/very/long/path/that/does/not/fit here",
            20,
            "",
            "  ",
            None,
        );
        assert!(
            long.lines()
                .any(|l| l.trim() == "https://example.com/a/very/long/path/that/does/not/fit"),
            "a long word stays whole: {long}"
        );
        // A preview ends before a word too long for a line, or cuts it when it comes first.
        let url = "https://example.com/a/very/long/path/that/does/not/fit";
        assert_eq!(
            wrap(&format!("see {url} here"), 20, "", "  ", Some(3)),
            "see…\n"
        );
        assert_eq!(wrap(url, 20, "", "  ", Some(3)), "https://example.com…\n");
    }

    #[test]
    fn a_command_in_backticks_is_never_broken() {
        let command = "`anypoint-doctor check -v --org 'Example Corp'`";
        let wrapped = wrap(&format!("Next: {command} lists them."), 40, "", "  ", None);
        let lines: Vec<&str> = wrapped.lines().collect();
        assert_eq!(lines, ["Next:", &format!("  {command}"), "  lists them."]);
    }

    #[test]
    fn a_long_command_breaks_between_words_and_runs_as_one() {
        let command = "anypoint-doctor check --org 'Example Corp' --client-id 7f3e2d1c0b9a48f7a6e5d4c3b2a1f0e9 --env \"a b\"";
        assert_eq!(
            command_lines(command, 120, "  ", "    "),
            format!("  {command}\n")
        );
        let lines = command_lines(command, 40, "  ", "    ");
        assert_eq!(
            lines,
            "  anypoint-doctor check --org \\\n    'Example Corp' --client-id \\\n    7f3e2d1c0b9a48f7a6e5d4c3b2a1f0e9 \\\n    --env \"a b\"\n"
        );
        // A shell joins the lines back into the command's words.
        let joined = lines.replace(" \\\n", " ");
        assert_eq!(shell_words(&joined), shell_words(command), "{lines}");
        // Quotes with blanks inside, and escapes, stay one word.
        assert_eq!(
            shell_words(r#"a 'b c' "d \" e" f\ g $(h "i j")"#),
            ["a", "'b c'", r#""d \" e""#, r"f\ g", "$(h", r#""i j")"#]
        );
    }

    #[test]
    fn long_lines_wrap_under_their_own_indent() {
        let text = "Title\n  one two three four five six\nLabel: a b c d e f g\n";
        assert_eq!(
            wrap_lines(text, 15),
            "Title\n  one two three\n  four five six\nLabel: a b c d\n  e f g\n"
        );
    }

    #[test]
    fn invisible_format_characters_are_shown() {
        assert_eq!(line("a\u{feff}b\u{2060}c"), "a<U+FEFF>b<U+2060>c");
    }

    #[test]
    fn plain_text_is_kept_as_is() {
        for plain in ["Example Corp", "Sandbox", "Évreux — 東京 ✓", ""] {
            assert!(matches!(line(plain), Cow::Borrowed(_)), "{plain}");
        }
    }

    #[test]
    fn controls_and_overrides_show_as_what_they_are() {
        assert_eq!(line("a\u{1b}]0;t\u{7}b\r\nc\td\u{7f}"), "a␛]0;t␇b␍␊c␉d␡");
        assert_eq!(
            line("x\u{9b}31m\u{202e}y\u{2066}"),
            "x<U+009B>31m<U+202E>y<U+2066>"
        );
    }

    #[test]
    fn a_long_line_is_cut_and_says_how_much_is_left() {
        let long = "é".repeat(MAX_LINE_CHARS + 5);
        let shown = line(&long);
        assert!(shown.starts_with(&"é".repeat(MAX_LINE_CHARS)));
        assert!(shown.ends_with("… (5 more characters)"), "{shown}");
        // Shown controls count at their shown width.
        let controls = "\u{80}".repeat(MAX_LINE_CHARS);
        let codes = line(&controls);
        assert_eq!(codes.matches("<U+0080>").count(), MAX_LINE_CHARS / 8);
        assert!(codes.ends_with(&format!(
            "… ({} more characters)",
            MAX_LINE_CHARS - MAX_LINE_CHARS / 8
        )));
    }
}
