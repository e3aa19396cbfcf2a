//! Exchange's catalogue as a world implies it: one asset for each distinct
//! `groupId`/`assetId`/`version` its API instances are made from, each with
//! the documentation pages, portal resource and files generated for it; and
//! MuleSoft's own policies, public to every org, as their Exchange assets.
//! Nothing here is per scenario: every world, a generated one or one an API
//! create changed, has the assets its instances name, and the same asset
//! always has the same pages and bytes.

use super::policy_templates::{MULESOFT_GROUP_ID, TEMPLATES};
use super::stored_zip;
use super::world::{ApiInstance, World};

/// An asset of the catalogue.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Asset {
    pub group_id: String,
    pub asset_id: String,
    pub version: String,
    pub name: String,
    /// The API's product version (`v1`), Exchange's `versionGroup` (§4.11).
    pub product_version: String,
    /// Exchange's asset type: `rest-api`, `policy`, `policy-implementation`.
    pub kind: &'static str,
}

/// The type of every asset an API instance is made from: REST API specs [I]
/// (the only type API Manager's instances of this world come from).
pub const ASSET_TYPE: &str = "rest-api";

/// The types of MuleSoft's policies in Exchange: a policy's definition, and
/// its implementation for a runtime (anypoint-sdk 0.3.2's `list_policy_assets`
/// and `list_policy_implementations` tell them apart by these).
pub const POLICY_TYPE: &str = "policy";
pub const POLICY_IMPLEMENTATION_TYPE: &str = "policy-implementation";

/// A documentation page: its name, its path in the portal, its Markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub name: String,
    pub path: String,
    pub markdown: String,
}

/// A file to download: a portal resource or the asset's main file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    /// The file's name (the last segment of its link).
    pub file_name: String,
    pub media_type: &'static str,
    pub body: Vec<u8>,
}

/// A portal resource: its path (`resources/<file name>`) and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    pub path: String,
    pub download: Download,
}

/// One of the asset's files, with the classifier and packaging Exchange lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MainFile {
    pub classifier: &'static str,
    pub packaging: &'static str,
    /// The spec's entry point: this file, or the one inside this archive.
    pub entry: String,
    pub download: Download,
}

/// The group an instance's asset lives in: its `groupId`, else the org of
/// its environment (Exchange's group id is normally the org id, §4.11).
pub fn group_of(world: &World, api: &ApiInstance) -> String {
    api.group_id.clone().unwrap_or_else(|| {
        world
            .environment(&api.env)
            .map(|(org, _)| org.id.clone())
            .unwrap_or_default()
    })
}

/// Every asset, in the order of the first instance that names it.
pub fn assets(world: &World) -> Vec<Asset> {
    let mut out: Vec<Asset> = Vec::new();
    for api in &world.apis {
        let asset = Asset {
            group_id: group_of(world, api),
            asset_id: api.asset_id.clone(),
            version: api.asset_version.clone(),
            name: api
                .exchange_asset_name
                .clone()
                .unwrap_or_else(|| api.asset_id.clone()),
            product_version: api.product_version.clone(),
            kind: ASSET_TYPE,
        };
        if !out.iter().any(|a| a.same_version(&asset)) {
            out.push(asset);
        }
    }
    out
}

/// MuleSoft's policies: for each template API Manager offers, its definition
/// and its Mule 4 implementation (`<template>-mule` [I]), in MuleSoft's group.
pub fn policy_assets() -> Vec<Asset> {
    TEMPLATES
        .iter()
        .flat_map(|t| {
            let asset = |asset_id: String, name: String, kind| Asset {
                group_id: MULESOFT_GROUP_ID.into(),
                asset_id,
                version: t.version.into(),
                name,
                product_version: "v1".into(),
                kind,
            };
            [
                asset(t.id.into(), t.name.into(), POLICY_TYPE),
                asset(
                    format!("{}-mule", t.id),
                    format!("{} (Mule 4 implementation)", t.name),
                    POLICY_IMPLEMENTATION_TYPE,
                ),
            ]
        })
        .collect()
}

/// What a search looks through: the world's assets, then MuleSoft's policies.
pub fn searchable(world: &World) -> Vec<Asset> {
    let mut all = assets(world);
    all.extend(policy_assets());
    all
}

/// One version of an asset.
pub fn find(world: &World, group: &str, asset: &str, version: &str) -> Option<Asset> {
    assets(world)
        .into_iter()
        .find(|a| a.group_id == group && a.asset_id == asset && a.version == version)
}

/// Every version of an asset, lowest first (by semantic version).
pub fn versions(world: &World, group: &str, asset: &str) -> Vec<Asset> {
    let mut out: Vec<Asset> = assets(world)
        .into_iter()
        .filter(|a| a.group_id == group && a.asset_id == asset)
        .collect();
    out.sort_by_key(|a| semver(&a.version));
    out
}

/// The latest version of an asset: what a route without a version reads [I].
pub fn latest(world: &World, group: &str, asset: &str) -> Option<Asset> {
    versions(world, group, asset).pop()
}

/// `1.10.0` after `1.9.0`: numeric parts compare as numbers, the rest as text.
fn semver(version: &str) -> Vec<(u64, String)> {
    version
        .split(['.', '-'])
        .map(|part| (part.parse().unwrap_or(0), part.to_string()))
        .collect()
}

impl Asset {
    fn same_version(&self, other: &Asset) -> bool {
        (&self.group_id, &self.asset_id, &self.version)
            == (&other.group_id, &other.asset_id, &other.version)
    }

    /// The portal's pages: `home`, the page an asset's portal opens on, and a
    /// second one so a client that lists them sees more than one [I] (which
    /// pages a real asset has is up to its owner).
    pub fn pages(&self) -> Vec<Page> {
        let home = format!(
            "# {name}\n\n{name} {version} (`{group}/{asset}`), API version {product}.\n",
            name = self.name,
            version = self.version,
            group = self.group_id,
            asset = self.asset_id,
            product = self.product_version,
        );
        let started = format!(
            "# Getting started\n\nRequest access to {} in Exchange, then call it with your client id and secret.\n",
            self.name
        );
        vec![page("home", home), page("getting-started", started)]
    }

    /// The portal's resources: one image (resources are images only:
    /// docs.mulesoft.com/exchange/to-manage-asset-portal-resources), a tiny
    /// SVG naming the asset. Its path is `resources/<file name>` [I], what
    /// anypoint-cli-v4 appends to `…/portal/` to download it.
    pub fn resources(&self) -> Vec<Resource> {
        let file_name = format!("{}-logo.svg", self.asset_id);
        let svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"120\" height=\"20\"><text x=\"0\" y=\"15\">{}</text></svg>\n",
            self.name
        );
        vec![Resource {
            path: format!("resources/{file_name}"),
            download: Download {
                file_name,
                media_type: "image/svg+xml",
                body: svg.into_bytes(),
            },
        }]
    }

    /// The main file: a minimal OAS 3 description in YAML, the classifier
    /// and packaging a `rest-api` asset's spec has (anypoint-cli-v4's
    /// `getAssetMainFile` takes `oas` or `raml` for `rest-api`).
    pub fn main_file(&self) -> MainFile {
        let body = format!(
            "openapi: 3.0.0\ninfo:\n  title: {}\n  version: {}\npaths: {{}}\n",
            self.name, self.product_version
        );
        let file_name = format!("{}-{}-oas.yaml", self.asset_id, self.version);
        MainFile {
            classifier: "oas",
            packaging: "yaml",
            entry: file_name.clone(),
            download: Download {
                file_name,
                media_type: "application/octet-stream",
                body: body.into_bytes(),
            },
        }
    }

    /// Every file Exchange lists for the asset: the main file, and the spec
    /// with its dependencies as one `fat-oas` zip (what anypoint-sdk's
    /// `download_oas_bundle` prefers); that Exchange lists such a bundle
    /// for an OAS asset is [I], its contents (the main file alone) too.
    pub fn files(&self) -> Vec<MainFile> {
        let main = self.main_file();
        let bundle = stored_zip::archive(&[(&main.entry, &main.download.body)]);
        let bundle = MainFile {
            classifier: "fat-oas",
            packaging: "zip",
            entry: main.entry.clone(),
            download: Download {
                file_name: format!("{}-{}-fat-oas.zip", self.asset_id, self.version),
                media_type: "application/zip",
                body: bundle,
            },
        };
        vec![main, bundle]
    }
}

fn page(path: &str, markdown: String) -> Page {
    Page {
        name: path.into(),
        path: path.into(),
        markdown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenarios;

    #[test]
    fn instances_of_one_asset_version_make_one_asset() {
        let world = scenarios::find("healthy").unwrap().world();
        let all = assets(&world);
        assert_eq!(all.len(), 1, "{all:?}");
        assert_eq!(all[0].asset_id, "orders-api");
        assert_eq!(all[0].name, "Orders API");
        assert_eq!(all[0].group_id, scenarios::ROOT_ORG);
    }

    #[test]
    fn the_latest_version_compares_numbers_as_numbers() {
        let mut world = scenarios::find("healthy").unwrap().world();
        for (i, version) in ["1.10.0", "1.9.2"].into_iter().enumerate() {
            let mut api = world.apis[0].clone();
            api.id += 100 + i as u64;
            api.asset_version = version.into();
            world.apis.push(api);
        }
        let latest = latest(&world, scenarios::ROOT_ORG, "orders-api").unwrap();
        assert_eq!(latest.version, "1.10.0");
        let listed: Vec<String> = versions(&world, scenarios::ROOT_ORG, "orders-api")
            .into_iter()
            .map(|a| a.version)
            .collect();
        assert_eq!(listed, ["1.0.3", "1.9.2", "1.10.0"]);
    }

    #[test]
    fn every_asset_has_a_home_page_a_resource_and_a_main_file() {
        let world = crate::generate::world(3, 3);
        for asset in assets(&world) {
            assert_eq!(asset.pages()[0].path, "home");
            assert!(asset.pages()[0].markdown.contains(&asset.name));
            assert!(asset.resources()[0].path.starts_with("resources/"));
            assert!(
                asset
                    .main_file()
                    .download
                    .body
                    .starts_with(b"openapi: 3.0.0")
            );
            let files = asset.files();
            assert_eq!(files[1].classifier, "fat-oas");
            assert!(files[1].download.body.starts_with(b"PK\x03\x04"));
        }
    }
}
