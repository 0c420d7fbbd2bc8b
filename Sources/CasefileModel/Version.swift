public enum CasefileVersion {
    public static let current = "0.1.0"
}
