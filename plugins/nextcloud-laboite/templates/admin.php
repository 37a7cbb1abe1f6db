<?php
// SPDX-License-Identifier: AGPL-3.0-or-later
// Administration settings > LaBoite: filled by js/laboite-admin.mjs (src/admin.ts) from the initial state.
?>
<div id="laboite-admin-settings"></div>
