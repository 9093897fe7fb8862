// Entry point for static/vendor/plotly/build.sh (esbuild).
// Jobvækst monitor's plotly.js bundle: only the trace types the pages draw.
var Plotly = require('plotly.js/lib/core');
Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/scatterpolar'),
]);
module.exports = Plotly;
