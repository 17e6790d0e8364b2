//! What the importer did, for the person who has to trust it: the encoding
//! of each input, every class of change with a count and a few examples, and
//! the places a human should look at, as `file:line: message`.

use std::fmt;

/// Classes of change, in the order the report lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Change {
    Split,
    Furniture,
    Metadata,
    DuplicateTitle,
    Caption,
    Rejoined,
    PdfSpaces,
    PdfParagraphs,
    InlineHeading,
    Indentation,
    Pinyin,
    Punctuation,
    Spaces,
    Escaped,
    Heading,
}

impl Change {
    pub const ALL: [Change; 15] = [
        Change::Split,
        Change::Furniture,
        Change::Metadata,
        Change::DuplicateTitle,
        Change::Caption,
        Change::Rejoined,
        Change::PdfSpaces,
        Change::PdfParagraphs,
        Change::InlineHeading,
        Change::Indentation,
        Change::Pinyin,
        Change::Punctuation,
        Change::Spaces,
        Change::Escaped,
        Change::Heading,
    ];

    fn label(self) -> &'static str {
        match self {
            Change::Split => "articles split out of a file holding several",
            Change::Furniture => "site-furniture lines removed",
            Change::Metadata => "metadata moved to front matter",
            Change::DuplicateTitle => "title repeated at the start of the body removed",
            Change::Caption => "image captions taken out of the text",
            Change::Rejoined => "paragraphs split mid-sentence rejoined",
            Change::PdfSpaces => "PDF line-break spaces between Chinese characters removed",
            Change::PdfParagraphs => "paragraphs rebuilt from PDF-extracted lines",
            Change::InlineHeading => "inline section titles split out",
            Change::Indentation => "leading indentation removed",
            Change::Pinyin => "pinyin annotations removed",
            Change::Punctuation => "half-width punctuation made full-width",
            Change::Spaces => "other spaces between Chinese characters removed",
            Change::Escaped => "Markdown characters escaped",
            Change::Heading => "headings marked",
        }
    }
}

/// A place a human should check.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    pub file: String,
    pub line: u32,
    pub message: String,
}

#[derive(Debug, Default, Clone)]
struct Tally {
    count: usize,
    examples: Vec<String>,
}

const EXAMPLES: usize = 3;

#[derive(Debug, Default, Clone)]
pub struct Report {
    /// (input as named on the command line, encoding name).
    pub inputs: Vec<(String, &'static str)>,
    tallies: [Tally; Change::ALL.len()],
    pub warnings: Vec<Warning>,
}

impl Report {
    /// Counts `n` changes of a class; the example is only built while the
    /// class still has room for one, so counting stays cheap.
    pub fn add(&mut self, change: Change, n: usize, example: impl FnOnce() -> String) {
        if n == 0 {
            return;
        }
        let tally = &mut self.tallies[change as usize];
        tally.count += n;
        if tally.examples.len() < EXAMPLES {
            tally.examples.push(example());
        }
    }

    pub fn count(&self, change: Change) -> usize {
        self.tallies[change as usize].count
    }

    pub fn examples(&self, change: Change) -> &[String] {
        &self.tallies[change as usize].examples
    }

    pub fn warn(&mut self, file: &str, line: u32, message: impl Into<String>) {
        self.warnings.push(Warning {
            file: file.to_string(),
            line,
            message: message.into(),
        });
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "inputs:")?;
        for (name, encoding) in &self.inputs {
            writeln!(f, "  {name}: {encoding}")?;
        }
        writeln!(f, "changes:")?;
        for change in Change::ALL {
            let tally = &self.tallies[change as usize];
            if tally.count == 0 {
                continue;
            }
            writeln!(f, "  {} × {}", tally.count, change.label())?;
            for example in &tally.examples {
                writeln!(f, "      e.g. {example}")?;
            }
        }
        if self.warnings.is_empty() {
            writeln!(f, "warnings: none")?;
        } else {
            writeln!(f, "warnings ({}):", self.warnings.len())?;
            for w in &self.warnings {
                writeln!(f, "{}:{}: {}", w.file, w.line, w.message)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_examples_and_warnings() {
        let mut r = Report::default();
        r.inputs.push(("a.txt".into(), "UTF-8"));
        for i in 0..5 {
            r.add(Change::Pinyin, 2, || format!("ex{i}"));
        }
        r.warn("a.txt", 7, "ends mid-sentence");
        assert_eq!(r.count(Change::Pinyin), 10);
        assert_eq!(r.examples(Change::Pinyin).len(), 3);
        let text = r.to_string();
        assert!(text.contains("a.txt: UTF-8"));
        assert!(text.contains("10 × pinyin"));
        assert!(text.contains("a.txt:7: ends mid-sentence"));
        assert!(!text.contains("ex3"));
    }
}
