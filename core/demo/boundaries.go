package demo

// boundaries is the demo council area's outline for the demand map, as a
// network would supply it with `onward network boundaries`: a rough,
// hand-simplified outline of the Fife peninsula in WGS84, enough to show
// where the districts' circles sit.
const boundaries = `{"type": "FeatureCollection", "features": [
 {"type": "Feature", "properties": {"name": "` + CouncilArea + `"},
  "geometry": {"type": "Polygon", "coordinates": [[
   [-3.72, 56.07], [-3.66, 56.13], [-3.58, 56.18], [-3.45, 56.22], [-3.40, 56.28],
   [-3.24, 56.35], [-3.06, 56.40], [-2.88, 56.45], [-2.83, 56.40], [-2.80, 56.35],
   [-2.68, 56.32], [-2.58, 56.28], [-2.70, 56.22], [-2.82, 56.19], [-3.00, 56.19],
   [-3.08, 56.15], [-3.15, 56.10], [-3.23, 56.06], [-3.40, 56.03], [-3.43, 56.02],
   [-3.63, 56.05], [-3.72, 56.07]]]}}]}`
