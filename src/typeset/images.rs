//! The pictures the PDF places, each once, in order of first use: the
//! book's [`Library`] has decoded and checked them already.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::image::{Library, Picture};

pub struct Images {
    library: Arc<Library>,
    pub list: Vec<Arc<Picture>>,
    paths: Vec<PathBuf>,
}

impl Images {
    pub fn new(library: Arc<Library>) -> Images {
        Images {
            library,
            list: Vec::new(),
            paths: Vec::new(),
        }
    }

    /// Takes in the pictures `other` placed (after this one's, as if placed
    /// here): the numbers they get here, by their number in `other`.
    pub fn absorb(&mut self, other: Images) -> Vec<u32> {
        other
            .paths
            .into_iter()
            .zip(other.list)
            .map(
                |(path, picture)| match self.paths.iter().position(|p| *p == path) {
                    Some(i) => i as u32,
                    None => {
                        self.list.push(picture);
                        self.paths.push(path);
                        (self.list.len() - 1) as u32
                    }
                },
            )
            .collect()
    }

    /// The XObject index of the picture at `path`, and the picture; `None`
    /// for one the library could not have (a placeholder goes there).
    pub fn place(&mut self, path: &Path) -> Option<(u32, Arc<Picture>)> {
        if let Some(i) = self.paths.iter().position(|p| p == path) {
            return Some((i as u32, self.list[i].clone()));
        }
        let picture = self.library.get(path)?.clone();
        self.list.push(picture.clone());
        self.paths.push(path.to_path_buf());
        Some(((self.list.len() - 1) as u32, picture))
    }
}
