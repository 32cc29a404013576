/**
 * KFP's XGBoost v1 graph sample (fixtures/kfp/components/contrib_XGBoost_...yaml) names one
 * sub-component that the component library does not hold: its digest and url, and a stand-in with
 * the interface the graph uses, for the tests that resolve the graph with it.
 */

export const MISSING_DIGEST = '3e128130521eff8d43764f3dcb037316cdd6490ad2878df5adef416f7c2f3c19';
export const MISSING_URL =
  'https://raw.githubusercontent.com/kubeflow/pipelines/7ea9363fe201918d419fecdc00d1275e657ff712/components/ml_metrics/Aggregate_regression_metrics/component.yaml';

/** A stand-in for the one sub-component that is not to be had, with the interface the graph uses. */
export const AGGREGATE_STUB = `name: Aggregate regression metrics from csv
inputs:
- {name: metrics_1, type: JsonObject}
- {name: metrics_2, type: JsonObject, optional: true}
- {name: metrics_3, type: JsonObject, optional: true}
- {name: metrics_4, type: JsonObject, optional: true}
- {name: metrics_5, type: JsonObject, optional: true}
outputs:
- {name: mean_absolute_error, type: Float}
- {name: mean_squared_error, type: Float}
- {name: root_mean_squared_error, type: Float}
- {name: metrics, type: JsonObject}
implementation:
  container:
    image: python:3.7
    command: [python3, -c, aggregate, {inputValue: metrics_1}, {inputValue: metrics_2},
      {outputPath: mean_absolute_error}, {outputPath: mean_squared_error}, {outputPath: root_mean_squared_error}, {outputPath: metrics}]
`;
