//! Searching Exchange's catalogue: the criteria MuleSoft's clients send
//! (search term, organizations, types, offset and limit), the assets a
//! caller may read that match them, each in the published search-result
//! shape; and Exchange v2's REST search, GET /exchange/api/v2/assets/search
//! (S2 `exchange_assets`, "Search for assets"), and its list, GET
//! /exchange/api/v2/assets (what anypoint-sdk 0.3.2's `list_assets` reads).
//! The Graph API's search (`exchange_graphql`) answers from the same.

use axum::extract::{Query, State};
use axum::response::Response;
use serde_json::{Value, json};

use super::exchange_assets::may_read;
use super::{AUDIT_DATE, Caller, LIST_DEFAULT_LIMIT, Paging, Shared};
use crate::catalogue::{self, Asset};
use crate::policy_templates::MULESOFT_GROUP_ID;
use crate::respond;
use crate::state::Subject;
use crate::world::World;

/// What a search asks for. `None` filters nothing.
pub struct Criteria {
    /// Part of the asset's name, id or type, any case [I] (S2: "partially
    /// match the input with the asset name"; anypoint-sdk 0.3.2's
    /// `list_policy_assets` finds policies by searching "policy"); empty
    /// matches every asset.
    pub term: Option<String>,
    pub organization_ids: Option<Vec<String>>,
    pub types: Option<Vec<String>>,
    /// MuleSoft's public policies too (`catalogue::policy_assets`). The REST
    /// list includes them, as anypoint-sdk 0.3.2's `list_policy_assets` reads
    /// them from it; whether the searches do is not known, and they do not [I].
    pub mulesoft: bool,
    pub paging: Paging,
}

/// The matching assets the caller may read, one page of them. An asset of a
/// business group the caller cannot read is left out, not refused [I]: a
/// search answers what the caller can see.
pub fn search(world: &World, subject: &Subject, criteria: &Criteria) -> Vec<Asset> {
    let term = criteria.term.as_deref().unwrap_or("").to_lowercase();
    let matches = |asset: &Asset| {
        [asset.name.as_str(), &asset.asset_id, asset.kind]
            .iter()
            .any(|field| field.to_lowercase().contains(&term))
            && criteria
                .organization_ids
                .as_ref()
                .is_none_or(|ids| ids.contains(&asset.group_id))
            && criteria
                .types
                .as_ref()
                .is_none_or(|types| types.iter().any(|t| t == asset.kind))
            && may_read(world, subject, &asset.group_id)
    };
    let catalogue = if criteria.mulesoft {
        catalogue::searchable(world)
    } else {
        catalogue::assets(world)
    };
    let found: Vec<Asset> = catalogue.into_iter().filter(matches).collect();
    criteria.paging.page(found).collect()
}

/// An asset in the published `assetSearchResultItem` shape (S2).
pub fn item(world: &World, asset: &Asset) -> Value {
    let organization = world.org(&asset.group_id);
    let mulesoft = asset.group_id == MULESOFT_GROUP_ID;
    json!({
        "id": format!("{}/{}/{}", asset.group_id, asset.asset_id, asset.version),
        "groupId": asset.group_id,
        "assetId": asset.asset_id,
        "version": asset.version,
        "versionGroup": asset.product_version,
        "name": asset.name,
        "description": "",
        "type": asset.kind,
        "status": "published",
        "isPublic": mulesoft,
        "isSnapshot": false,
        "contactName": null,
        "contactEmail": null,
        "icon": null,
        "minMuleVersion": null,
        "labels": [],
        "categories": [],
        "customFields": [],
        "rating": 0,
        "numberOfRates": 0,
        "createdDate": AUDIT_DATE,
        "updatedDate": AUDIT_DATE,
        "createdAt": AUDIT_DATE,
        "modifiedAt": AUDIT_DATE,
        "organization": {
            "id": asset.group_id,
            "name": organization.map_or(if mulesoft { "MuleSoft" } else { "" }, |o| o.name.as_str()),
            "isMaster": world.root.id == asset.group_id,
            "parentOrganizationIds": world.ancestors(&asset.group_id).iter().rev().map(|o| o.id.clone()).collect::<Vec<_>>(),
            "subOrganizationIds": organization.map(|o| o.business_groups.iter().map(|g| g.id.clone()).collect::<Vec<_>>()).unwrap_or_default(),
            "tenantOrganizationIds": [],
            "isMulesoftOrganization": mulesoft,
        },
    })
}

/// The query's values for `key`: repeated, comma-separated, or both.
fn all(query: &[(String, String)], key: &str) -> Option<Vec<String>> {
    let values: Vec<String> = query
        .iter()
        .filter(|(k, _)| k == key)
        .flat_map(|(_, v)| v.split(','))
        .map(str::to_string)
        .collect();
    (!values.is_empty()).then_some(values)
}

/// The criteria of a REST search or list: `search`, the organizations (under
/// either name, `organizationId` or `organizationIds` [I]), `types`, paging.
fn criteria(query: &[(String, String)], types: Option<Vec<String>>, mulesoft: bool) -> Criteria {
    let organizations = [all(query, "organizationId"), all(query, "organizationIds")];
    let organizations: Vec<String> = organizations.into_iter().flatten().flatten().collect();
    Criteria {
        term: query
            .iter()
            .find(|(k, _)| k == "search")
            .map(|(_, v)| v.clone()),
        organization_ids: (!organizations.is_empty()).then_some(organizations),
        types,
        mulesoft,
        paging: Paging::of(&query.iter().cloned().collect(), LIST_DEFAULT_LIMIT),
    }
}

fn answer(state: &Shared, subject: &Subject, criteria: &Criteria) -> Response {
    let world = state.world.lock().expect("world lock");
    let found = search(&world, subject, criteria);
    respond::ok(found.iter().map(|a| item(&world, a)).collect())
}

/// GET /exchange/api/v2/assets/search?types=…&search=…&organizationId=…
/// (repeated for more than one)&offset&limit. `types` is required (S2); a
/// search without it is 400 in Exchange's shape (§5; the message is [I]).
pub async fn rest(
    State(state): State<Shared>,
    Query(query): Query<Vec<(String, String)>>,
    Caller(subject): Caller,
) -> Response {
    let Some(types) = all(&query, "types") else {
        return respond::exchange_error(400, "Query parameter \"types\" is required");
    };
    answer(&state, &subject, &criteria(&query, Some(types), false))
}

/// GET /exchange/api/v2/assets?search=…&organizationIds=…&type=…&offset&limit:
/// the same search as a list, every type unless `type` (or `types`) names
/// some. No published description covers it; anypoint-sdk 0.3.2
/// (`resources/exchange.py` `list_assets`) reads an array of assets [I].
pub async fn list(
    State(state): State<Shared>,
    Query(query): Query<Vec<(String, String)>>,
    Caller(subject): Caller,
) -> Response {
    let types = [all(&query, "type"), all(&query, "types")];
    let types: Vec<String> = types.into_iter().flatten().flatten().collect();
    let types = (!types.is_empty()).then_some(types);
    answer(&state, &subject, &criteria(&query, types, true))
}
