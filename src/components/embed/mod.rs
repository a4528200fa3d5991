//! The embed screen: a survey shown inside another site's page by the loader (`embed/embed.js`).

mod embed_page;

pub use embed_page::EmbedPage;
