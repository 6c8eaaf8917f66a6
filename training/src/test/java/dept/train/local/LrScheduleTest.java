package dept.train.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LrScheduleTest {

  @Test
  void warmsUpLinearlyThenDecaysByCosineToTheFloor() {
    LrSchedule s = new LrSchedule(1.0, 0.1, 10, 110);
    assertEquals(0.1, s.at(0), 1e-12);
    assertEquals(1.0, s.at(9), 1e-12);
    assertEquals(1.0, s.at(10), 1e-12);
    assertEquals(0.55, s.at(60), 1e-12);
    assertEquals(0.1, s.at(110), 1e-12);
    assertEquals(0.1, s.at(500), 1e-12);
  }
}
