export { exportPlan, type ExportPlan } from './export-plan';
export { startTelemetry, type Telemetry } from './start-telemetry';
