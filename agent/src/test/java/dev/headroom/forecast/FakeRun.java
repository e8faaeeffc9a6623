package dev.headroom.forecast;

import dev.headroom.act.Decision;
import dev.headroom.act.Policy;
import dev.headroom.act.PolicySettings;

import java.util.ArrayList;
import java.util.List;

/** The agent's tick without its I/O: history, forecast and policy fed with fake ticks. */
public final class FakeRun {

    /** What one tick produced. */
    public record Step(FakeTick.Tick tick, Forecast forecast, Decision decision) {
        public double seconds() {
            return (tick.snapshot().epochMillis() - FakeTick.EPOCH) / 1000.0;
        }
    }

    public final History history = new History();
    public final ForecastSettings forecastSettings;
    public final Policy policy;
    public final List<Step> steps = new ArrayList<>();

    public FakeRun() {
        this(ForecastSettings.defaults(), PolicySettings.defaults());
    }

    public FakeRun(ForecastSettings forecastSettings, PolicySettings policySettings) {
        this.forecastSettings = forecastSettings;
        this.policy = new Policy(policySettings);
    }

    public Step add(FakeTick.Tick tick) {
        history.add(tick.snapshot(), tick.breakdown());
        Forecast f = Forecaster.forecast(history, forecastSettings);
        Step step = new Step(tick, f, policy.decide(f, tick.snapshot()));
        steps.add(step);
        return step;
    }

    public Step add(FakeTick builder) {
        return add(builder.build());
    }

    /** The steps at which this action was due. */
    public List<Step> due(Decision.Action action) {
        List<Step> found = new ArrayList<>();
        for (Step s : steps) {
            if (s.decision().due(action)) {
                found.add(s);
            }
        }
        return found;
    }

    /** Every reason given in the run, for failure messages. */
    public String transcript() {
        StringBuilder sb = new StringBuilder();
        for (Step s : steps) {
            sb.append(String.format("%7.2f s ws %5d MiB  %-8s %s s2l=%.1f conf=%.2f %s%n", s.seconds(),
                    s.tick().snapshot().workingSetBytes() >> 20, s.decision().level(), s.decision().actions(),
                    s.forecast().secondsToLimit(), s.forecast().confidence(), s.decision().reasons()));
        }
        return sb.toString();
    }
}
