//! Searching Exchange's catalogue: the criteria MuleSoft's clients send
//! (search term, organizations, types, offset and limit), the assets a
//! caller may read that match them, each in the published search-result
//! shape; and Exchange v2's REST search, GET /exchange/api/v2/assets/search
//! (S2 `exchange_assets`, "Search for assets"). The Graph API's search
//! (`exchange_graphql`) answers from the same.

use axum::extract::{Query, State};
use axum::response::Response;
use serde_json::{Value, json};

use super::exchange_assets::may_read;
use super::{AUDIT_DATE, Caller, LIST_DEFAULT_LIMIT, Paging, Shared};
use crate::catalogue::{self, ASSET_TYPE, Asset};
use crate::respond;
use crate::state::Subject;
use crate::world::World;

/// What a search asks for. `None` filters nothing.
pub struct Criteria {
    /// Part of the asset's name or id, any case [I] (S2: "partially match
    /// the input with the asset name"); empty matches every asset.
    pub term: Option<String>,
    pub organization_ids: Option<Vec<String>>,
    pub types: Option<Vec<String>>,
    pub paging: Paging,
}

/// The matching assets the caller may read, one page of them. An asset of a
/// business group the caller cannot read is left out, not refused [I]: a
/// search answers what the caller can see.
pub fn search(world: &World, subject: &Subject, criteria: &Criteria) -> Vec<Asset> {
    let term = criteria.term.as_deref().unwrap_or("").to_lowercase();
    let matches = |asset: &Asset| {
        (asset.name.to_lowercase().contains(&term) || asset.asset_id.to_lowercase().contains(&term))
            && criteria
                .organization_ids
                .as_ref()
                .is_none_or(|ids| ids.contains(&asset.group_id))
            && criteria
                .types
                .as_ref()
                .is_none_or(|types| types.iter().any(|t| t == ASSET_TYPE))
            && may_read(world, subject, &asset.group_id)
    };
    let found: Vec<Asset> = catalogue::assets(world)
        .into_iter()
        .filter(matches)
        .collect();
    criteria.paging.page(found).collect()
}

/// An asset in the published `assetSearchResultItem` shape (S2).
pub fn item(world: &World, asset: &Asset) -> Value {
    let organization = world.org(&asset.group_id);
    json!({
        "id": format!("{}/{}/{}", asset.group_id, asset.asset_id, asset.version),
        "groupId": asset.group_id,
        "assetId": asset.asset_id,
        "version": asset.version,
        "versionGroup": asset.product_version,
        "name": asset.name,
        "description": "",
        "type": ASSET_TYPE,
        "status": "published",
        "isPublic": false,
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
            "name": organization.map(|o| o.name.clone()).unwrap_or_default(),
            "isMaster": world.root.id == asset.group_id,
            "parentOrganizationIds": world.ancestors(&asset.group_id).iter().rev().map(|o| o.id.clone()).collect::<Vec<_>>(),
            "subOrganizationIds": organization.map(|o| o.business_groups.iter().map(|g| g.id.clone()).collect::<Vec<_>>()).unwrap_or_default(),
            "tenantOrganizationIds": [],
            "isMulesoftOrganization": false,
        },
    })
}

/// GET /exchange/api/v2/assets/search?types=…&search=…&organizationId=…
/// (repeated for more than one)&offset&limit. `types` is required (S2); a
/// search without it is 400 in Exchange's shape (§5; the message is [I]).
pub async fn rest(
    State(state): State<Shared>,
    Query(query): Query<Vec<(String, String)>>,
    Caller(subject): Caller,
) -> Response {
    let all = |key: &str| -> Option<Vec<String>> {
        let values: Vec<String> = query
            .iter()
            .filter(|(k, _)| k == key)
            .flat_map(|(_, v)| v.split(','))
            .map(str::to_string)
            .collect();
        (!values.is_empty()).then_some(values)
    };
    let Some(types) = all("types") else {
        return respond::exchange_error(400, "Query parameter \"types\" is required");
    };
    let criteria = Criteria {
        term: query
            .iter()
            .find(|(k, _)| k == "search")
            .map(|(_, v)| v.clone()),
        organization_ids: all("organizationId"),
        types: Some(types),
        paging: Paging::of(&query.iter().cloned().collect(), LIST_DEFAULT_LIMIT),
    };
    let world = state.world.lock().expect("world lock");
    let found = search(&world, &subject, &criteria);
    respond::ok(found.iter().map(|a| item(&world, a)).collect())
}
