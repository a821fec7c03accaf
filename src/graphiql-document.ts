/**
 * What GraphiQL opens with: the strategies and data, then a run to start, watch and read.
 * test/readme-examples.test.ts executes every operation in it, as written, against a real server.
 * Int and Float parameter specs both have `default`/`min`/`max` with different types, which GraphQL
 * refuses to merge in one selection: the fragments give them aliases.
 */
export const GRAPHIQL_DEFAULT_DOCUMENT = `# backtest-gql: run the operations below one at a time (the play button lists them).

query Strategies {
  strategies {
    id title
    params {
      name description
      ... on IntParam { intDefault: default intMin: min intMax: max }
      ... on FloatParam { floatDefault: default floatMin: min floatMax: max }
      ... on EnumParam { enumDefault: default choices }
      ... on BoolParam { boolDefault: default }
    }
  }
  datasets { id name instruments { symbol coverage { period first last bars } } }
}

mutation Start {
  runBacktest(input: { strategy: "sma-crossover", params: { fastPeriod: 50, slowPeriod: 200, quantity: 10 }, dataset: "demo", symbols: ["SPX"], period: DAY, commission: { perUnit: 0.005, minimumPerOrder: 1 } }) { id status }
}

# Put the id returned by Start here (runs are numbered 1, 2, ...). Subscriptions go over the WebSocket.
subscription Fills { runFills(id: "1") { time side quantity price commission } }

query Results {
  runs(first: 5) { totalCount edges { node { id strategy { id } status metrics { finalEquity totalReturn sharpe maxDrawdown trades } } } }
}
`;
