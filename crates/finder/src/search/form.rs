//! The Find posts form as the person typed it (every number still text) read into a
//! [`SearchRequest`], or the first thing to fix in plain words. The window sends the form as
//! it is while the person types; [`SearchRequest::validate`] checks the request itself when
//! it is estimated or run.

use super::{parse_terms, SearchFilters, SearchRequest, SearchSort, Source};

/// The form's fields. Blank minimums mean none; blank days back means no limit.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SearchForm {
    pub source: Option<Source>,
    /// Terms separated by commas or lines.
    pub terms: String,
    /// Posts per term.
    pub count: String,
    pub min_likes: String,
    pub min_reposts: String,
    pub min_replies: String,
    pub days_back: String,
    pub language: String,
    pub only_verified: bool,
    pub only_image: bool,
    pub only_video: bool,
    pub only_quote: bool,
    pub raw_query: bool,
    pub sort: SearchSort,
}

/// A whole number typed in a field; blank is 0.
fn whole(text: &str) -> Option<u32> {
    let t = text.trim();
    if t.is_empty() {
        return Some(0);
    }
    if !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

impl SearchForm {
    /// The request, or the first thing to fix.
    pub fn read(&self) -> std::result::Result<SearchRequest, String> {
        let terms = parse_terms(&self.terms);
        if terms.is_empty() {
            return Err("Type at least one search term.".into());
        }
        let count = match whole(&self.count) {
            Some(n) if n > 0 => n,
            _ => return Err("Posts per term must be a whole number.".into()),
        };
        let (Some(min_likes), Some(min_reposts), Some(min_replies)) = (
            whole(&self.min_likes),
            whole(&self.min_reposts),
            whole(&self.min_replies),
        ) else {
            return Err("Minimum likes, reposts and replies must be whole numbers.".into());
        };
        let days_back = if self.days_back.trim().is_empty() {
            None
        } else {
            match whole(&self.days_back) {
                Some(n) if n > 0 => Some(n),
                _ => return Err("Days back must be a whole number of days.".into()),
            }
        };
        let language = self.language.trim().to_lowercase();
        Ok(SearchRequest {
            source: self.source.unwrap_or(Source::Apify),
            terms,
            filters: SearchFilters {
                min_likes,
                min_reposts,
                min_replies,
                days_back,
                language: (!language.is_empty()).then_some(language),
                only_verified: self.only_verified,
                only_image: self.only_image,
                only_video: self.only_video,
                only_quote: self.only_quote,
                raw_query: self.raw_query,
                sort: self.sort,
            },
            count,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> SearchForm {
        SearchForm {
            terms: "a".into(),
            count: "100".into(),
            min_likes: "0".into(),
            min_reposts: "0".into(),
            min_replies: "0".into(),
            language: "en".into(),
            ..SearchForm::default()
        }
    }

    #[test]
    fn builds_the_request_and_says_what_to_fix_first() {
        let empty = SearchForm {
            terms: " , ".into(),
            ..form()
        };
        assert_eq!(empty.read(), Err("Type at least one search term.".into()));
        for bad in [
            SearchForm {
                count: "lots".into(),
                ..form()
            },
            SearchForm {
                min_likes: "-3".into(),
                ..form()
            },
            SearchForm {
                days_back: "0".into(),
                ..form()
            },
        ] {
            assert!(bad.read().is_err(), "{bad:?}");
        }
        let built = SearchForm {
            terms: " a ,free   trial,,\nb ".into(),
            source: Some(Source::X),
            min_likes: "5".into(),
            days_back: "3".into(),
            language: " EN ".into(),
            only_video: true,
            ..form()
        }
        .read()
        .unwrap();
        assert_eq!(built.source, Source::X);
        assert_eq!(built.terms, vec!["a", "free trial", "b"]);
        assert_eq!(built.count, 100);
        assert_eq!(
            built.filters,
            SearchFilters {
                min_likes: 5,
                days_back: Some(3),
                language: Some("en".into()),
                only_video: true,
                ..SearchFilters::default()
            }
        );
    }
}
