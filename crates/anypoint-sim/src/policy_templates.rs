//! The policy templates the simulated platform offers (MuleSoft's own, the
//! same in every org), as API Manager's `policy-templates` route describes
//! them to anypoint-cli-v4's `policy describe`.
//!
//! [I] The wording is the simulator's: the fields are those the CLI prints
//! (anypoint-cli-api-mgr-plugin lib/commands/api-mgr/policy/describe.js:
//! name, category, description, configuration[] with propertyName, name,
//! type, optional) and anypoint-client-go apim_policy's `PolicyConfiguration`.

/// MuleSoft's group id for its own policies, as anypoint-cli-v4 names it
/// (lib/commands/api-mgr/alert/add.js `MULESOFT_GROUP_ID`).
pub const MULESOFT_GROUP_ID: &str = "68ef9520-24e9-4cf2-b2f5-620025690913";

/// One configurable property of a template.
pub struct Property {
    pub name: &'static str,
    pub description: &'static str,
    /// `expression`, `boolean`, `int`, `keyvalues`, … as the template types it.
    pub kind: &'static str,
    pub optional: bool,
}

pub struct Template {
    /// The template's id, the asset id of its Exchange policy.
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub category: &'static str,
    pub version: &'static str,
    pub properties: &'static [Property],
}

const CLIENT_ID_EXPRESSION: Property = Property {
    name: "clientIdExpression",
    description: "Client ID expression",
    kind: "expression",
    optional: false,
};

pub const TEMPLATES: &[Template] = &[
    Template {
        id: "client-id-enforcement",
        name: "Client ID enforcement",
        description: "Allows access only to client applications with a valid client ID and secret.",
        category: "Security",
        version: "1.3.2",
        properties: &[
            CLIENT_ID_EXPRESSION,
            Property {
                name: "clientSecretExpression",
                description: "Client secret expression",
                kind: "expression",
                optional: true,
            },
        ],
    },
    Template {
        id: "rate-limiting-sla-based",
        name: "Rate limiting - SLA based",
        description: "Limits requests by the SLA tier of the calling client application's contract.",
        category: "Quality of service",
        version: "1.3.0",
        properties: &[
            CLIENT_ID_EXPRESSION,
            Property {
                name: "exposeHeaders",
                description: "Expose the X-RateLimit headers",
                kind: "boolean",
                optional: true,
            },
        ],
    },
    Template {
        id: "rate-limiting",
        name: "Rate limiting",
        description: "Limits the number of requests an API accepts in a time window.",
        category: "Quality of service",
        version: "1.4.0",
        properties: &[Property {
            name: "rateLimits",
            description: "Maximum requests per time period",
            kind: "keyvalues",
            optional: false,
        }],
    },
];

pub fn find(id: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.id == id)
}
