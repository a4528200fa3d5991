//! The staff dashboard (`/admin`): sign-in or local-only mode, the survey list, a survey's
//! overview (cards, charts, reliability, segments, targets, exports), its management (with its
//! alert rules), the follow-up cases' inbox with the loop figures and each case's page, the
//! webhook endpoints and the audit log, each offering only what the session's
//! [`Rights`](crate::staff::rights::Rights) allow.

mod admin_page;
mod alert_rules_panel;
mod audit_page;
mod axis;
mod case_actions;
mod case_answers;
mod case_facts;
mod case_filters;
mod case_page;
mod case_table;
mod case_timeline;
mod cases_page;
mod dimension_table;
mod export_buttons;
mod filter_bar;
mod headline_cards;
mod identity;
mod item_table;
mod loop_figures;
mod manage_page;
mod nps_chart;
mod open_texts;
mod origins_editor;
mod overview;
mod overview_skeleton;
mod problem_list;
mod role_note;
mod segment_table;
mod share_links;
mod sign_in;
mod survey_list;
mod table_card;
mod targets_panel;
mod trend_chart;
mod webhook_deliveries;
mod webhook_endpoint;
mod webhook_form;
mod webhooks_page;

pub use admin_page::AdminPage;
