package demo

// boundaries is the demo council area's outline for the demand map, as a
// network would supply it with `onward network boundaries`: a rough,
// hand-simplified outline of the Fife peninsula in WGS84, enough to show
// where the districts' circles sit.
const boundaries = `{"type": "FeatureCollection", "features": [
 {"type": "Feature", "properties": {"name": "` + CouncilArea + `"},
  "geometry": {"type": "Polygon", "coordinates": [[
   [-3.72, 56.07], [-3.66, 56.13], [-3.58, 56.18], [-3.45, 56.22], [-3.40, 56.28],
   [-3.24, 56.35], [-3.06, 56.40], [-2.88, 56.45], [-2.78, 56.40], [-2.74, 56.36],
   [-2.62, 56.31], [-2.56, 56.27], [-2.68, 56.20], [-2.82, 56.16], [-2.98, 56.16],
   [-3.07, 56.12], [-3.14, 56.08], [-3.23, 56.04], [-3.40, 56.02], [-3.43, 56.01],
   [-3.63, 56.04], [-3.72, 56.07]]]}}]}`
