import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { closeDate, openPledge, pledgeFixture, PledgeFixture, pushPrice, SKIP, termsFor } from "./fixtures";
import { readPledge, requestedId, signPledgeRequest, valuationsOf, valueInBatches } from "../../lib/pledge";
import { calendarToBytes4 } from "../../lib/oracle/ids";

const XPOI = calendarToBytes4("XPOI");

/** The pledge fixture with an open pledge started 30 days ago (close 25.00 at its start, closed). */
async function openFixture() {
  const f = await pledgeFixture();
  const start = f.today - 30;
  await pushPrice(f, start, "25");
  const id = await openPledge(f, termsFor(f, start));
  return { ...f, start, id };
}

/**
 * Two pledges at 13.00 (Liquidation): one counting its top-up deadline in calendar days, one in 255 business
 * days of XPOI (every day a business day) whose next year is not loaded, so its deadline cannot be told.
 */
async function poisonedFixture() {
  const f = await pledgeFixture();
  const year = new Date(f.today * 86_400_000).getUTCFullYear();
  await (await f.calendar.configureCalendar(XPOI, 0, "Calendar with one year loaded")).wait();
  await (await f.calendar.loadHolidays(XPOI, year, [])).wait();
  const start = f.today - 30;
  await pushPrice(f, start, "25");
  const healthy = await openPledge(f, termsFor(f, start, { quantity: 500_000n, principal: 500_000_000n }));
  const poisoned = await openPledge(
    f,
    termsFor(f, start, { quantity: 500_000n, principal: 500_000_000n, calendarId: XPOI, topUpDays: 255 }),
  );
  await pushPrice(f, f.today, "13");
  await closeDate(f, f.today, XPOI);
  return { ...f, healthy, poisoned };
}

describe("PledgeBook close of business", function () {
  describe("value", function () {
    it("skips a date not closed for the feed's calendar instead of valuing it with the previous close", async function () {
      const f = await loadFixture(openFixture);
      await pushPrice(f, f.today - 1, "25");
      // Today is not closed: anyone calling now would otherwise get yesterday's 25.00 recorded for today.
      await expect(f.book.value([f.id], f.today))
        .to.emit(f.book, "PledgeValuationSkipped")
        .withArgs(f.id, f.today, SKIP.DateNotClosed);
      expect((await readPledge(f.book, f.id)).valuedDate).to.equal(0);
      await pushPrice(f, f.today, "13");
      const v = valuationsOf(f.book, await (await f.book.value([f.id], f.today)).wait());
      expect(v[0].closePrice).to.equal(ethers.parseUnits("13", 18));
    });

    it("skips a date not closed for the pledge's own calendar", async function () {
      const f = await loadFixture(pledgeFixture);
      const year = new Date(f.today * 86_400_000).getUTCFullYear();
      await (await f.calendar.configureCalendar(XPOI, 0, "Pledge calendar")).wait();
      await (await f.calendar.loadHolidays(XPOI, year, [])).wait();
      await pushPrice(f, f.today - 30, "25");
      const id = await openPledge(f, termsFor(f, f.today - 30, { calendarId: XPOI }));
      await pushPrice(f, f.today, "25");
      await expect(f.book.value([id], f.today))
        .to.emit(f.book, "PledgeValuationSkipped")
        .withArgs(id, f.today, SKIP.DateNotClosed);
      await (await f.oracle.closeBusinessDate(XPOI, f.today)).wait();
      await expect(f.book.value([id], f.today)).to.emit(f.book, "PledgeValued");
    });

    it("values the rest of a batch when one pledge's calendar year is not loaded", async function () {
      const f = await loadFixture(poisonedFixture);
      const r = await (await f.book.value([f.poisoned, f.healthy], f.today)).wait();
      expect(valuationsOf(f.book, r).map((v) => v.id)).to.deep.equal([f.healthy]);
      await expect(f.book.value([f.poisoned], f.today))
        .to.emit(f.book, "PledgeValuationSkipped")
        .withArgs(f.poisoned, f.today, SKIP.CalendarNotLoaded);
      expect((await readPledge(f.book, f.poisoned)).valuedDate).to.equal(0);
    });
  });

  describe("valueInBatches (the tool's batch loop)", function () {
    it("reports a failed batch with its error and goes on with the next", async function () {
      const f = await loadFixture(openFixture);
      await pushPrice(f, f.today, "13");
      // The first transaction fails at the node (as a dropped connection would); the second batch still runs.
      let calls = 0;
      const flaky = {
        interface: f.book.interface,
        value: ((ids: bigint[], date: number) => {
          calls++;
          if (calls === 1) return Promise.reject(new Error("connection reset by the node"));
          return f.book.value(ids, date);
        }) as unknown as typeof f.book.value,
      };
      const r = await valueInBatches(flaky, [999n, f.id], f.today, 1);
      expect(r.failed).to.deep.equal([{ date: f.today, ids: [999n], error: "connection reset by the node" }]);
      expect(r.valued.map((v) => v.id)).to.deep.equal([f.id]);
      expect(calls).to.equal(2);
    });
  });

  describe("request", function () {
    it("refuses a calendar the holiday calendars do not know", async function () {
      const f = await loadFixture(pledgeFixture);
      const terms = termsFor(f, f.today, { calendarId: calendarToBytes4("ZZZZ") });
      await expect(f.book.connect(f.pledger).request(terms))
        .to.be.revertedWithCustomError(f.book, "PledgeCalendarUnknown")
        .withArgs(calendarToBytes4("ZZZZ"));
    });

    it("refuses an unknown calendar on a signed registration", async function () {
      const f = await loadFixture(pledgeFixture);
      const terms = termsFor(f, f.today, { calendarId: calendarToBytes4("ZZZZ") });
      const deadline = BigInt((await ethers.provider.getBlock("latest"))!.timestamp + 3600);
      const a = await signPledgeRequest(f.book, f.pledger, terms, deadline);
      const b = await signPledgeRequest(f.book, f.pledgee, terms, deadline);
      await expect(f.book.registerSigned(terms, deadline, a, b)).to.be.revertedWithCustomError(f.book, "PledgeCalendarUnknown");
    });

    it("refuses a security token as the loan's cash token", async function () {
      const f = await loadFixture(pledgeFixture);
      const terms = termsFor(f, f.today, { cashToken: f.bond.target as string });
      await expect(f.book.connect(f.pledger).request(terms))
        .to.be.revertedWithCustomError(f.book, "PledgeNotCashToken")
        .withArgs(f.bond.target);
    });

    it("refuses a cash token as the pledged security", async function () {
      const f = await loadFixture(pledgeFixture);
      const terms = termsFor(f, f.today, { security: f.cash.target as string });
      await expect(f.book.connect(f.pledger).request(terms))
        .to.be.revertedWithCustomError(f.book, "PledgeNotSecurityToken")
        .withArgs(f.cash.target);
    });

    it("refuses a token the factory did not issue", async function () {
      const f = await loadFixture(pledgeFixture);
      const impostor = await ethers.deployContract("ERC20Baseline", [f.pledger.address, 1000n]);
      const terms = termsFor(f, f.today, { cashToken: impostor.target as string });
      await expect(f.book.connect(f.pledger).request(terms))
        .to.be.revertedWithCustomError(f.book, "PledgeNotCashToken")
        .withArgs(impostor.target);
    });
  });

  describe("a pledger's broker as pledgee", function () {
    async function brokerFixture(): Promise<PledgeFixture & { broker: PledgeFixture["pledgee"] }> {
      const f = await pledgeFixture();
      await (await f.book.connect(f.pledger).authoriseBroker(f.ids.broker)).wait();
      return { ...f, broker: f.actors.broker };
    }

    it("refuses the broker's signature for the pledger when it is the pledgee", async function () {
      const f = await loadFixture(brokerFixture);
      const terms = termsFor(f, f.today, { pledgee: f.broker.address });
      const deadline = BigInt((await ethers.provider.getBlock("latest"))!.timestamp + 3600);
      const a = await signPledgeRequest(f.book, f.broker, terms, deadline);
      const b = await signPledgeRequest(f.book, f.broker, terms, deadline);
      await expect(f.book.connect(f.broker).requestSigned(terms, deadline, a, b))
        .to.be.revertedWithCustomError(f.book, "PledgeBrokerIsPledgee")
        .withArgs(f.ids.broker, f.broker.address);
    });

    it("counts the broker's request as the pledgee's and needs the investor's own consent", async function () {
      const f = await loadFixture(brokerFixture);
      const terms = termsFor(f, f.today, { pledgee: f.broker.address });
      const id = requestedId(f.book, await (await f.book.connect(f.broker).request(terms)).wait());
      await expect(f.book.connect(f.broker).consent(id))
        .to.be.revertedWithCustomError(f.book, "PledgeAlreadyConsented")
        .withArgs(id, false);
      await expect(f.book.register(id)).to.be.revertedWithCustomError(f.book, "PledgeConsentMissing").withArgs(id, false, true);
      await expect(f.book.connect(f.pledger).consent(id)).to.emit(f.book, "PledgeConsented").withArgs(id, true, f.pledger.address);
    });
  });
});
