//! [`Ctx`]: what every view of a mounted widget shares (its config, its API client with the
//! session, its event emitter and its window listeners), made by the mount and handed down
//! to the views as a property.

use std::rc::Rc;

use crate::api::Api;
use crate::config::Config;
use crate::events::Emitter;
use crate::messages::Listeners;

/// Everything a view needs, shared by the mount handle and the components.
#[derive(Clone)]
pub struct Ctx {
    pub config: Rc<Config>,
    pub api: Rc<Api>,
    pub emitter: Emitter,
    pub listeners: Listeners,
}

impl Ctx {
    pub fn new(config: Config, api: Api, emitter: Emitter, listeners: Listeners) -> Ctx {
        Ctx {
            config: Rc::new(config),
            api: Rc::new(api),
            emitter,
            listeners,
        }
    }
}

/// The same widget with the same config: `handle.update` gives the views a new config (and
/// so a re-render) while the session (`api`) stays.
impl PartialEq for Ctx {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.api, &other.api) && Rc::ptr_eq(&self.config, &other.config)
    }
}
